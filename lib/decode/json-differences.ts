// Lists where two JSON values differ, one line per path: readable where a deep diff of a Pod is not.
import type { JsonValue } from "./types";

export function listJsonDifferences(actual: unknown, expected: unknown, path = "$", out: string[] = [], limit = 50): string[] {
  if (out.length >= limit) return out;
  if (Object.is(actual, expected)) return out;
  const bothObjects = isObject(actual) && isObject(expected);
  const bothArrays = Array.isArray(actual) && Array.isArray(expected);
  if (bothArrays) {
    const a = actual as JsonValue[];
    const e = expected as JsonValue[];
    if (a.length !== e.length) out.push(`${path}: ${a.length} items, expected ${e.length}`);
    for (let i = 0; i < Math.min(a.length, e.length); i++) listJsonDifferences(a[i], e[i], `${path}[${i}]`, out, limit);
    return out;
  }
  if (bothObjects) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push(`${path}.${key}: missing, expected ${preview(e[key])}`);
      else listJsonDifferences(a[key], e[key], `${path}.${key}`, out, limit);
    }
    for (const key of Object.keys(a)) if (!(key in e)) out.push(`${path}.${key}: unexpected ${preview(a[key])}`);
    return out;
  }
  out.push(`${path}: ${preview(actual)}, expected ${preview(expected)}`);
  return out;
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
