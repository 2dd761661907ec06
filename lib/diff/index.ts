// Pure: two decoded values in, a structural diff, a one-line summary and a text diff out.
import type { DecodedValue, MaskedValue } from "@/lib/decode/types";
import { compileNoise, DEFAULT_NOISE_PATTERNS, isNoise, type NoiseFilter } from "./noise";
import { structuredDataOf } from "./render";
import { diffJson, withMaskedChanges, type FieldChange } from "./structural";
import { summarizeChanges } from "./summary";

export { DEFAULT_NOISE_PATTERNS, compileNoise, stripNoise, withoutNoise, type NoiseFilter } from "./noise";
export { diffJson, withMaskedChanges, type FieldChange, type ChangeKind } from "./structural";
export { formatPath, parsePattern, type PathSegment } from "./paths";
export { formatChange, formatValueShort, summarizeChanges } from "./summary";
export { renderForDiff, structuredDataOf, type DiffText } from "./render";
export { summarizeBytes, type ByteDiffSummary } from "./bytes";

export type ValueChange = FieldChange & { noise: boolean };

const defaultNoise = compileNoise(DEFAULT_NOISE_PATTERNS);

function maskedOf(value: DecodedValue | null): MaskedValue[] {
  return value?.format === "kubernetes" ? value.masked : [];
}

/** Whether noise fields apply: they are Kubernetes fields, meaningless in other documents. */
export function isKubernetesPair(old: DecodedValue | null, next: DecodedValue | null): boolean {
  return old?.format === "kubernetes" || next?.format === "kubernetes";
}

/**
 * Field changes from `old` to `next` (null: the key did not exist), each marked as noise or not;
 * masked Secret values appear only as changed (fingerprints differ), never with their content.
 * Values without structure (text, binary) have no field changes.
 */
export function diffValues(old: DecodedValue | null, next: DecodedValue | null, noise: NoiseFilter = defaultNoise): ValueChange[] {
  const changes = withMaskedChanges(diffJson(structuredDataOf(old), structuredDataOf(next)), maskedOf(old), maskedOf(next));
  const kubernetes = isKubernetesPair(old, next);
  return changes.map((item) => ({ ...item, noise: kubernetes && isNoise(item.segments, noise) }));
}

/**
 * What a history entry changed relative to the version before it, in one line. Null when there is
 * nothing structured to compare (text, binary) or the previous version is unknown.
 */
export function summarizeVersion(old: DecodedValue | null, next: DecodedValue | null): string | null {
  if (structuredDataOf(old) === undefined || structuredDataOf(next) === undefined) return null;
  return summarizeChanges(diffValues(old, next).filter((item) => !item.noise));
}
