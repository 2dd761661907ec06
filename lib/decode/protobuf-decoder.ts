// Wire bytes + a compiled plan -> the JSON the API server prints. Errors never escape: the first one is
// recorded in the context with its byte offset and field path, and every level returns what it read.
import { readUtf8, toBase64 } from "./bytes";
import * as planKinds from "./plan";
import { compileDecoder, type DecoderHelpers } from "./compile-decoder";
import { wireTypeOfKind, type CompiledDecoder, type FieldPlan, type MessagePlan } from "./plan";
import { decodeSchemaless } from "./schemaless";
import type { EmbeddedCodec } from "./special-types";
import type { DecodeProblem, JsonObject, JsonValue } from "./types";
import { WireError, WireReader } from "./wire";

// Local copies: imported bindings are getters under some loaders (tsx, vitest), too slow for the hot loop.
const {
  KIND_BOOL,
  KIND_BYTES,
  KIND_DOUBLE,
  KIND_ENUM,
  KIND_FIXED32,
  KIND_FIXED64,
  KIND_FLOAT,
  KIND_INT32,
  KIND_INT64,
  KIND_MESSAGE,
  KIND_SFIXED32,
  KIND_SFIXED64,
  KIND_SINT32,
  KIND_SINT64,
  KIND_STRING,
  KIND_UINT32,
  KIND_UINT64,
  KIND_UNRESOLVED,
} = planKinds;

/** Deeper than any real object; it bounds the stack for hostile input. */
export const MAX_DEPTH = 100;

export interface DecodeContext extends EmbeddedCodec {
  error: DecodeProblem | undefined;
  /** JSON path to where the error happened, built on the way out. */
  errorPath: string[];
}

export function createDecodeContext(decodeEmbedded: (bytes: Uint8Array) => JsonValue): DecodeContext {
  return { error: undefined, errorPath: [], decodeEmbedded };
}

function recordError(ctx: DecodeContext, error: unknown, plan: MessagePlan): void {
  if (ctx.error) return;
  if (error instanceof WireError) ctx.error = { message: `${error.message} (in ${plan.fullName})`, offset: error.offset };
  else ctx.error = { message: `${error instanceof Error ? error.message : String(error)} (in ${plan.fullName})` };
}

/**
 * Decodes the message in buf[start, end) with its plan. `into` receives the fields (so callers can put
 * kind and apiVersion first); special types return their own JSON form instead.
 */
export function decodeMessage(
  plan: MessagePlan,
  buf: Uint8Array,
  start: number,
  end: number,
  ctx: DecodeContext,
  depth: number,
  into?: JsonObject,
): JsonValue {
  return decoderOf(plan)(new WireReader(buf, start, end), buf, end, ctx, depth, into) as JsonValue;
}

function decoderOf(plan: MessagePlan): CompiledDecoder {
  return plan.decoder ?? (plan.decoder = compileDecoder(plan, helpers));
}

function readPacked(field: FieldPlan, reader: WireReader, list: unknown[] | undefined): unknown[] {
  const out = list ?? [];
  const start = reader.lengthDelimited();
  const end = reader.pos;
  const packed = new WireReader(reader.buf, start, end, reader.base);
  while (packed.pos < end) out.push(readValue(field.kind, field, packed, reader.buf, undefined as never, 0, false));
  return out;
}

function tooDeep(ctx: DecodeContext, plan: MessagePlan, at: number): void {
  ctx.error ??= { message: `messages nested deeper than ${MAX_DEPTH} levels (in ${plan.fullName})`, offset: at };
}

function wrongWireType(reader: WireReader, field: FieldPlan, wireType: number, at: number): never {
  reader.fail(`field ${field.jsonName} (${field.number}) has wire type ${wireType}, the schema expects ${field.wireType}`, at);
}

function readValue(
  kind: number,
  field: FieldPlan,
  reader: WireReader,
  buf: Uint8Array,
  ctx: DecodeContext,
  depth: number,
  rawBytes: boolean,
): unknown {
  switch (kind) {
    case KIND_STRING: {
      const start = reader.lengthDelimited();
      return readUtf8(buf, start, reader.pos);
    }
    case KIND_MESSAGE: {
      const start = reader.lengthDelimited();
      return decodeMessage(field.message!, buf, start, reader.pos, ctx, depth + 1);
    }
    case KIND_INT64:
      return reader.int64();
    case KIND_INT32:
    case KIND_ENUM:
      return reader.int32();
    case KIND_BOOL:
      return reader.bool();
    case KIND_BYTES: {
      const start = reader.lengthDelimited();
      return rawBytes ? buf.subarray(start, reader.pos) : toBase64(buf, start, reader.pos);
    }
    case KIND_UINT32:
      return reader.uint32();
    case KIND_UINT64:
      return reader.uint64();
    case KIND_SINT32:
      return reader.sint32();
    case KIND_SINT64:
      return reader.sint64();
    case KIND_DOUBLE:
      return reader.double();
    case KIND_FLOAT:
      return reader.float();
    case KIND_FIXED32:
      return reader.fixed32();
    case KIND_SFIXED32:
      return reader.sfixed32();
    case KIND_FIXED64:
      return reader.fixed64();
    case KIND_SFIXED64:
      return reader.sfixed64();
    case KIND_UNRESOLVED: {
      const start = reader.lengthDelimited();
      return decodeSchemaless(buf, start, reader.pos, depth + 1);
    }
    default:
      return reader.fail(`field ${field.jsonName} has an unknown kind`);
  }
}

/** A map entry is a small message: key = 1, value = 2; either may be missing and then is zero. */
function readMapEntry(
  field: FieldPlan,
  parent: WireReader,
  buf: Uint8Array,
  ctx: DecodeContext,
  depth: number,
  existing: JsonObject | undefined,
): JsonObject {
  const start = parent.lengthDelimited();
  const end = parent.pos;
  const outerEnd = parent.end;
  // The entry is read with the parent's reader, narrowed to the entry: no allocation per entry.
  const reader = parent;
  reader.pos = start;
  reader.end = end;
  let key: unknown = undefined;
  let value: unknown = undefined;
  while (reader.pos < end) {
    const tagAt = reader.pos;
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 1 && wireType === wireTypeOfKind(field.mapKeyKind)) key = readValue(field.mapKeyKind, field, reader, buf, ctx, depth, false);
    else if (number === 2 && wireType === field.wireType) value = readValue(field.kind, field, reader, buf, ctx, depth, false);
    else if (number === 1 || number === 2) wrongWireType(reader, field, wireType, tagAt);
    else if (number === 0) reader.fail("field number 0 is not valid", tagAt);
    else reader.skip(wireType, number);
    if (ctx.error) break;
  }
  reader.pos = end;
  reader.end = outerEnd;
  if (value === undefined) {
    value = field.kind === KIND_MESSAGE ? decodeMessage(field.message!, buf, end, end, ctx, depth + 1) : field.absentJson ?? "";
  }
  const map = existing ?? {};
  const name = key === undefined ? "" : String(key);
  if (name === "__proto__") Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  else map[name] = value as JsonValue;
  return map;
}

/** Go promotes an embedded struct's fields; a field of the outer struct with the same name wins. */
function mergeInline(out: JsonObject, value: unknown): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const inner = value as JsonObject;
  for (const key in inner) if (out[key] === undefined) out[key] = inner[key];
}

/** Go prints map keys sorted; the wire is usually sorted already, so only copy when it is not. */
function sortKeys(map: JsonObject): JsonObject {
  const keys = Object.keys(map);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return map;
  const out: JsonObject = {};
  for (const key of keys.sort()) {
    if (key === "__proto__") Object.defineProperty(out, key, { value: map[key], enumerable: true, writable: true, configurable: true });
    else out[key] = map[key];
  }
  return out;
}

const helpers: DecoderHelpers = {
  WireReader,
  readUtf8,
  toBase64,
  decodeSchemaless,
  decodeMessage: decodeMessage as DecoderHelpers["decodeMessage"],
  decoderOf,
  readMapEntry: readMapEntry as DecoderHelpers["readMapEntry"],
  readPacked,
  wrongWireType,
  recordError: recordError as DecoderHelpers["recordError"],
  tooDeep: tooDeep as DecoderHelpers["tooDeep"],
  mergeInline: mergeInline as DecoderHelpers["mergeInline"],
  sortKeys: sortKeys as DecoderHelpers["sortKeys"],
  maxDepth: MAX_DEPTH,
};
