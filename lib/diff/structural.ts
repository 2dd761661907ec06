import type { JsonValue, MaskedValue } from "@/lib/decode/types";
import { formatPath, type PathSegment } from "./paths";

// The structural difference of two JSON values: every leaf (or whole subtree, when one side lacks
// it or the types differ) that is not equal, as a path with its old and new value. Arrays are
// compared index by index, which is what a person expects for the ordered lists Kubernetes keeps
// (containers, conditions, ports) and is linear, unlike a sequence alignment.

export type ChangeKind = "added" | "removed" | "changed";

export type FieldChange = {
  /** Display form, e.g. `spec.replicas`. */
  path: string;
  segments: PathSegment[];
  kind: ChangeKind;
  /** Absent when the field was added. */
  old?: JsonValue;
  /** Absent when the field was removed. */
  new?: JsonValue;
  /** A masked Secret value: old and new are placeholders; only the fact of a change and the lengths are known. */
  masked?: true;
  oldLength?: number;
  newLength?: number;
};

const MASKED = "<masked>";

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function change(segments: PathSegment[], old: JsonValue | undefined, next: JsonValue | undefined): FieldChange {
  const kind: ChangeKind = old === undefined ? "added" : next === undefined ? "removed" : "changed";
  const result: FieldChange = { path: formatPath(segments), segments, kind };
  if (old !== undefined) result.old = old;
  if (next !== undefined) result.new = next;
  return result;
}

function walk(old: JsonValue | undefined, next: JsonValue | undefined, segments: PathSegment[], out: FieldChange[]): void {
  if (old === next) return;
  if (isObject(old) && isObject(next)) {
    for (const key of Object.keys(old)) walk(old[key], Object.hasOwn(next, key) ? next[key] : undefined, [...segments, key], out);
    for (const key of Object.keys(next)) if (!Object.hasOwn(old, key)) walk(undefined, next[key], [...segments, key], out);
    return;
  }
  if (Array.isArray(old) && Array.isArray(next)) {
    const length = Math.max(old.length, next.length);
    for (let i = 0; i < length; i++)
      walk(i < old.length ? old[i] : undefined, i < next.length ? next[i] : undefined, [...segments, i], out);
    return;
  }
  out.push(change(segments, old, next));
}

/** Changed fields from `old` to `next`, in document order (old's keys first, then added ones). */
export function diffJson(old: JsonValue | undefined, next: JsonValue | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  walk(old, next, [], out);
  return out;
}

/**
 * Masked Secret values are the same placeholder on both sides, so the plain walk sees no change;
 * their fingerprints say whether the bytes differ. Returns the changes with those added; every
 * change of a masked value says only that it changed and its lengths, never a value (a masked
 * annotation's text, which the walk may see change, included).
 */
export function withMaskedChanges(
  changes: FieldChange[],
  oldMasked: readonly MaskedValue[],
  newMasked: readonly MaskedValue[],
): FieldChange[] {
  const keyOf = (path: readonly PathSegment[]) => JSON.stringify(path.map(String));
  const before = new Map(oldMasked.map((masked) => [keyOf(masked.path), masked]));
  const after = new Map(newMasked.map((masked) => [keyOf(masked.path), masked]));
  const isMasked = (segments: readonly PathSegment[]) => before.has(keyOf(segments)) || after.has(keyOf(segments));
  const result = changes.map((item) =>
    isMasked(item.segments)
      ? maskedChange(item.segments, item.kind, before.get(keyOf(item.segments)), after.get(keyOf(item.segments)))
      : item,
  );
  const seen = new Set(result.map((item) => keyOf(item.segments)));
  for (const [key, masked] of after) {
    const previous = before.get(key);
    if (previous && previous.fingerprint !== masked.fingerprint && !seen.has(key))
      result.push(maskedChange([...masked.path], "changed", previous, masked));
  }
  return result;
}

function maskedChange(segments: PathSegment[], kind: ChangeKind, old: MaskedValue | undefined, next: MaskedValue | undefined): FieldChange {
  const result: FieldChange = { path: formatPath(segments), segments, kind, masked: true };
  if (kind !== "added") result.old = MASKED;
  if (kind !== "removed") result.new = MASKED;
  if (old && kind !== "added") result.oldLength = old.length;
  if (next && kind !== "removed") result.newLength = next.length;
  return result;
}
