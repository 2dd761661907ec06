// Decoding without a schema: field numbers with their values. Length-delimited values are guessed:
// a nested message when the bytes parse as one, a string when they are readable UTF-8, else base64.
import { isPrintableText, readStrictUtf8, toBase64 } from "./bytes";
import type { JsonObject, JsonValue } from "./types";
import { WIRE_END_GROUP, WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_START_GROUP, WIRE_VARINT, WireReader } from "./wire";

/** Guessing nests no deeper than this; below it, bytes stay strings or base64. */
const MAX_GUESS_DEPTH = 32;

/** Decodes buf[start, end) as a message of unknown type. Throws a WireError when it is not one. */
export function decodeSchemaless(buf: Uint8Array, start: number, end: number, depth = 0, skipFields?: ReadonlySet<number>): JsonObject {
  const occurrences = new Map<number, JsonValue[]>();
  const reader = new WireReader(buf, start, end);
  while (reader.pos < end) {
    const tagAt = reader.pos;
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) reader.fail("field number 0 is not valid", tagAt);
    let value: JsonValue;
    switch (wireType) {
      case WIRE_VARINT:
        value = reader.int64();
        break;
      case WIRE_FIXED64:
        value = reader.fixed64();
        break;
      case WIRE_FIXED32:
        value = reader.fixed32();
        break;
      case WIRE_LENGTH_DELIMITED: {
        const valueStart = reader.lengthDelimited();
        value = guessLengthDelimited(buf, valueStart, reader.pos, depth);
        break;
      }
      case WIRE_START_GROUP:
        reader.skip(wireType, number);
        value = "(group)";
        break;
      default:
        return reader.fail(`invalid wire type ${wireType} for field ${number}`, tagAt);
    }
    if (skipFields?.has(number)) continue;
    const values = occurrences.get(number);
    if (values) values.push(value);
    else occurrences.set(number, [value]);
  }
  // A field seen more than once is shown as the list of its occurrences.
  const out: JsonObject = {};
  for (const [number, values] of occurrences) out[String(number)] = values.length === 1 ? values[0] : values;
  return out;
}

function guessLengthDelimited(buf: Uint8Array, start: number, end: number, depth: number): JsonValue {
  if (start === end) return "";
  const bytes = buf.subarray(start, end);
  const canNest = depth < MAX_GUESS_DEPTH && parsesAsMessage(buf, start, end);
  // Text rarely starts with a control byte, while a message always starts with a tag (often 0x0a).
  if (canNest && buf[start] < 0x20) return decodeSchemaless(buf, start, end, depth + 1);
  const text = readStrictUtf8(bytes);
  if (text !== undefined && isPrintableText(text)) return text;
  if (canNest) return decodeSchemaless(buf, start, end, depth + 1);
  return toBase64(buf, start, end);
}

/** True when the bytes are a well-formed sequence of fields (no groups), ending exactly at end. */
export function parsesAsMessage(buf: Uint8Array, start: number, end: number): boolean {
  const reader = new WireReader(buf, start, end);
  try {
    while (reader.pos < end) {
      const tag = reader.uint32();
      const wireType = tag & 7;
      if (tag >>> 3 === 0 || wireType === WIRE_START_GROUP || wireType === WIRE_END_GROUP || wireType > WIRE_FIXED32) return false;
      reader.skip(wireType, tag >>> 3);
    }
    return true;
  } catch {
    return false;
  }
}
