import type { JsonObject, JsonValue } from "@/lib/decode/types";

// Typed reads from a decoded Kubernetes object. Decoded JSON omits empty and zero fields the way
// kube-apiserver writes them, so every read has a fallback rather than an assumption.

export function objectAt(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

export function listAt(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

export function objectsAt(value: JsonValue | undefined): JsonObject[] {
  return listAt(value).flatMap((item) => {
    const object = objectAt(item);
    return object ? [object] : [];
  });
}

export function textAt(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

export function numberAt(value: JsonValue | undefined, fallback = 0): number {
  if (typeof value === "number") return value;
  // int64 fields may come as decimal strings.
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return fallback;
}

/** The value at a path of field names, or undefined when any step is missing. */
export function pathAt(object: JsonObject | undefined, ...path: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const name of path) {
    const next = objectAt(current);
    if (!next) return undefined;
    current = next[name];
  }
  return current;
}

/** An RFC 3339 timestamp (seconds or microseconds) as epoch milliseconds; null when absent or not a time. */
export function instantAt(value: JsonValue | undefined): number | null {
  if (typeof value !== "string" || value === "") return null;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : null;
}

export function countOf(value: JsonValue | undefined): number {
  const object = objectAt(value);
  if (object) return Object.keys(object).length;
  return Array.isArray(value) ? value.length : 0;
}
