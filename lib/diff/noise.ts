import type { FieldChange } from "./structural";
import { parsePattern, pathMatches, ANY, type PathSegment, type PatternSegment } from "./paths";
import type { JsonValue } from "@/lib/decode/types";

// Fields that change on (almost) every write of a Kubernetes object without saying anything a
// person looks for: the resource version (etcd's mod revision), the managedFields timestamps, and
// the generation counters, which move with every spec change already shown by the spec itself.

export const DEFAULT_NOISE_PATTERNS: readonly string[] = [
  "metadata.resourceVersion",
  "metadata.managedFields[*].time",
  "metadata.generation",
  "status.observedGeneration",
];

export type NoiseFilter = { patterns: PatternSegment[][] };

/** Patterns that do not parse are ignored, so a typo in the UI's list cannot break the diff. */
export function compileNoise(patterns: readonly string[]): NoiseFilter {
  return { patterns: patterns.map(parsePattern).filter((pattern): pattern is PatternSegment[] => pattern !== undefined) };
}

export function isNoise(segments: readonly PathSegment[], filter: NoiseFilter): boolean {
  return filter.patterns.some((pattern) => pathMatches(segments, pattern));
}

export function withoutNoise(changes: readonly FieldChange[], filter: NoiseFilter): FieldChange[] {
  return changes.filter((item) => !isNoise(item.segments, filter));
}

/** A copy of the value without the noise fields, for rendering a text diff that ignores them. */
export function stripNoise(value: JsonValue, filter: NoiseFilter): JsonValue {
  if (filter.patterns.length === 0) return value;
  return strip(value, filter.patterns, []);
}

function strip(value: JsonValue, patterns: PatternSegment[][], at: PathSegment[]): JsonValue {
  if (value === null || typeof value !== "object") return value;
  // Only descend where some pattern may still match below: most of an object is copied by reference.
  const live = patterns.filter((pattern) => pattern.length > at.length && prefixMatches(at, pattern));
  if (live.length === 0) return value;
  if (Array.isArray(value)) return value.map((item, index) => strip(item, live, [...at, index]));
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    const path = [...at, key];
    if (live.some((pattern) => pattern.length === path.length && pathMatches(path, pattern))) continue;
    out[key] = strip(item, live, path);
  }
  return out;
}

function prefixMatches(at: readonly PathSegment[], pattern: readonly PatternSegment[]): boolean {
  for (let i = 0; i < at.length; i++) if (pattern[i] !== ANY && pattern[i] !== at[i]) return false;
  return true;
}
