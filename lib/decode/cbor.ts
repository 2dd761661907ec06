// CBOR values as Kubernetes writes them: the self-describe tag (d9 d9 f7) and then one data item.
import { Decoder } from "cbor-x";
import { toBase64 } from "./bytes";
import { MAX_NESTING_DEPTH, TOO_DEEP } from "./depth";
import type { DecodeProblem, JsonObject, JsonValue } from "./types";

export const CBOR_SELF_DESCRIBE: readonly number[] = [0xd9, 0xd9, 0xf7];

const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

export function decodeCbor(bytes: Uint8Array): { data: JsonValue } | { error: DecodeProblem } {
  try {
    return { data: toJsonValue(decoder.decode(bytes), 0) };
  } catch (error) {
    // cbor-x reads nested items by recursion: a deep enough item overflows the stack.
    if (error instanceof TooDeepError || error instanceof RangeError) return { error: TOO_DEEP };
    return { error: { message: `CBOR: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

/** CBOR has more types than JSON: byte strings become base64, big integers numbers, maps objects. */
function toJsonValue(value: unknown, depth: number): JsonValue {
  if (depth > MAX_NESTING_DEPTH) throw new TooDeepError();
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return Number(value);
  }
  if (value instanceof Uint8Array) return toBase64(value);
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  if (value instanceof Map) {
    const out: JsonObject = {};
    for (const [key, item] of value) setKey(out, String(key), toJsonValue(item, depth + 1));
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) setKey(out, key, toJsonValue(item, depth + 1));
    return out;
  }
  return String(value);
}

class TooDeepError extends Error {}

function setKey(out: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
