// Wire bytes + a compiled plan -> the JSON the API server prints. Errors never escape: the first one is
// recorded in the context with its byte offset and field path, and every level returns what it read.
import { asSliceable, type SliceableBuffer } from "./bytes";
import * as planKinds from "./plan";
import { compileDecoder, type DecoderHelpers } from "./compile-decoder";
import type { CompiledDecoder, FieldPlan, MessagePlan } from "./plan";
import { decodeSchemaless } from "./schemaless";
import type { EmbeddedCodec } from "./special-types";
import { countLevels, MAX_NESTING_DEPTH } from "./depth";
import type { DecodeProblem, JsonObject, JsonValue } from "./types";
import { WireError, WireReader } from "./wire";

// Local copies: imported bindings are getters under some loaders (tsx, vitest), too slow for the hot loop.
const {
  KIND_BOOL,
  KIND_DOUBLE,
  KIND_ENUM,
  KIND_FIXED32,
  KIND_FIXED64,
  KIND_FLOAT,
  KIND_INT32,
  KIND_INT64,
  KIND_SFIXED32,
  KIND_SFIXED64,
  KIND_SINT32,
  KIND_SINT64,
  KIND_UINT32,
  KIND_UINT64,
} = planKinds;

/** Deeper than any real object; it bounds the stack for hostile input. */
export const MAX_DEPTH = 100;

export interface DecodeContext extends EmbeddedCodec {
  error: DecodeProblem | undefined;
  /** JSON path to where the error happened, built on the way out. */
  errorPath: string[];
  /** The deepest message level a decoder was called at (the root message is level 0). */
  deepest: number;
  /** A bound on the levels of JSON the decoders did not build themselves (embedded documents). */
  opaqueLevels: number;
}

export function createDecodeContext(decodeEmbedded: (bytes: Uint8Array) => JsonValue): DecodeContext {
  return { error: undefined, errorPath: [], decodeEmbedded, deepest: 0, opaqueLevels: 0 };
}

/**
 * At most how many levels of arrays and objects (as depth.ts counts them) what the context's decoders
 * returned has, so the nesting limit needs no second walk over the object. A message decoded at level
 * d is an object at most 2d + 1 deep (each level above it adds its object and at most one list or
 * map), and its lists and maps of scalars reach 2d + 2; an embedded document replacing a message at
 * level d adds its own levels to the 2d above it (noteOpaque). Special types other than embedded
 * documents print scalars, lists of strings, or what their nested messages decoded to, all inside
 * that bound.
 */
export function levelsBound(ctx: DecodeContext): number {
  return Math.max(2 * ctx.deepest + 2, ctx.opaqueLevels);
}

/** Records the levels of a value decoded outside the generated decoders, in place of a message at level `depth`. */
function noteOpaque(ctx: DecodeContext, value: unknown, depth: number): unknown {
  if (value !== null && typeof value === "object") {
    const levels = 2 * depth + countLevels(value, MAX_NESTING_DEPTH);
    if (levels > ctx.opaqueLevels) ctx.opaqueLevels = levels;
  }
  return value;
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
  const bytes = asSliceable(buf);
  const reader = new WireReader(bytes, start, end);
  if (bytes.length <= MAX_TEXT_BYTES) reader.text = bytes.latin1Slice(0, bytes.length);
  return decoderOf(plan)(reader, bytes, end, ctx, depth, into) as JsonValue;
}

/** Above this, values are mostly long strings (large ConfigMaps) that utf8Slice decodes just as fast. */
const MAX_TEXT_BYTES = 1 << 16;
/** Longer strings are decoded natively: checking them for non-ASCII bytes in JS would cost more. */
const MAX_SUBSTRING = 64;

/**
 * A string field's value. Short ASCII strings (nearly all of them) are substrings of reader.text; the
 * rest is decoded as UTF-8, with invalid sequences as U+FFFD (as Go's JSON encoder prints them).
 */
function readString(reader: WireReader, buf: SliceableBuffer, start: number, end: number): string {
  if (end - start > MAX_SUBSTRING || reader.text === "") return buf.utf8Slice(start, end);
  for (let i = start; i < end; i++) if (buf[i] > 127) return buf.utf8Slice(start, end);
  return reader.text.substring(start, end);
}

function decoderOf(plan: MessagePlan): CompiledDecoder {
  return plan.decoder ?? (plan.decoder = compileDecoder(plan, helpers));
}

/** Packed repeated scalars: rare in Kubernetes objects, so read through one generic switch. */
function readPacked(field: FieldPlan, reader: WireReader, list: unknown[] | undefined): unknown[] {
  const out = list ?? [];
  const start = reader.lengthDelimited();
  const end = reader.pos;
  const packed = new WireReader(reader.buf, start, end, reader.base);
  while (packed.pos < end) out.push(readScalar(field, packed));
  return out;
}

function readScalar(field: FieldPlan, reader: WireReader): number | boolean {
  switch (field.kind) {
    case KIND_INT64:
      return reader.int64();
    case KIND_INT32:
    case KIND_ENUM:
      return reader.int32();
    case KIND_BOOL:
      return reader.bool();
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
    default:
      return reader.fail(`field ${field.jsonName} cannot be packed`);
  }
}

function tooDeep(ctx: DecodeContext, plan: MessagePlan, at: number): void {
  ctx.error ??= { message: `messages nested deeper than ${MAX_DEPTH} levels (in ${plan.fullName})`, offset: at };
}

function wrongWireType(reader: WireReader, field: FieldPlan, wireType: number, at: number): never {
  reader.fail(`field ${field.jsonName} (${field.number}) has wire type ${wireType}, the schema expects ${field.wireType}`, at);
}

/**
 * Go promotes an embedded struct's fields, except those the outer struct has itself (even when the
 * outer one is left out as empty); between two embedded structs, the first one printed wins here.
 */
function mergeInline(out: JsonObject, value: unknown, shadowed: ReadonlySet<string>): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const inner = value as JsonObject;
  for (const key in inner) if (!shadowed.has(key) && out[key] === undefined) out[key] = inner[key];
}

/** "__proto__" from the wire must become an own key, not the object's prototype. */
function setOwnKey(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
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
    if (key === "__proto__") setOwnKey(out, key, map[key]);
    else out[key] = map[key];
  }
  return out;
}

const helpers: DecoderHelpers = {
  decodeSchemaless: decodeSchemaless as DecoderHelpers["decodeSchemaless"],
  decoderOf,
  readString,
  readPacked,
  wrongWireType,
  recordError: recordError as DecoderHelpers["recordError"],
  tooDeep: tooDeep as DecoderHelpers["tooDeep"],
  mergeInline: mergeInline as DecoderHelpers["mergeInline"],
  sortKeys: sortKeys as DecoderHelpers["sortKeys"],
  setOwnKey: setOwnKey as DecoderHelpers["setOwnKey"],
  noteOpaque: noteOpaque as DecoderHelpers["noteOpaque"],
  maxDepth: MAX_DEPTH,
};
