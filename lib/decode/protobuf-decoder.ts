// Wire bytes + a compiled plan -> the JSON the API server prints. Errors never escape: the first one is
// recorded in the context with its byte offset and field path, and every level returns what it read.
import { readUtf8, toBase64 } from "./bytes";
import {
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
  SHAPE_MAP,
  SHAPE_REPEATED,
  SHAPE_SINGLE,
  isPackable,
  wireTypeOfKind,
  type FieldPlan,
  type MessagePlan,
} from "./plan";
import { decodeSchemaless } from "./schemaless";
import type { EmbeddedCodec, FieldValues } from "./special-types";
import type { DecodeProblem, JsonObject, JsonValue } from "./types";
import { WIRE_LENGTH_DELIMITED, WireError, WireReader } from "./wire";

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
  const special = plan.special;
  const slots: unknown[] = new Array(plan.fields.length);
  if (depth > MAX_DEPTH) {
    ctx.error ??= { message: `messages nested deeper than ${MAX_DEPTH} levels (in ${plan.fullName})`, offset: start };
  } else {
    readFields(plan, buf, start, end, ctx, depth, slots, special !== undefined);
  }
  if (special) {
    const values: FieldValues = {};
    for (const field of plan.fields) if (slots[field.slot] !== undefined) values[field.number] = slots[field.slot];
    return special.toJson(values, ctx);
  }
  return assemble(plan, slots, into ?? {});
}

function readFields(
  plan: MessagePlan,
  buf: Uint8Array,
  start: number,
  end: number,
  ctx: DecodeContext,
  depth: number,
  slots: unknown[],
  rawBytes: boolean,
): void {
  const reader = new WireReader(buf, start, end);
  const byNumber = plan.byNumber;
  let field: FieldPlan | undefined;
  try {
    while (reader.pos < end) {
      const tagAt = reader.pos;
      const tag = reader.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) reader.fail("field number 0 is not valid", tagAt);
      field = byNumber[number];
      if (field === undefined) {
        reader.skip(wireType, number);
        continue;
      }
      if (field.shape === SHAPE_MAP) {
        if (wireType !== WIRE_LENGTH_DELIMITED) wrongWireType(reader, field, wireType, tagAt);
        const entryStart = reader.lengthDelimited();
        readMapEntry(field, buf, entryStart, reader.pos, ctx, depth, slots);
      } else if (wireType === field.wireType) {
        const value = readValue(field.kind, field, reader, buf, ctx, depth, rawBytes);
        if (field.shape === SHAPE_SINGLE) slots[field.slot] = value;
        else ((slots[field.slot] as unknown[] | undefined) ?? (slots[field.slot] = [])).push(value);
      } else if (wireType === WIRE_LENGTH_DELIMITED && field.shape === SHAPE_REPEATED && isPackable(field.kind)) {
        const packedStart = reader.lengthDelimited();
        const packedEnd = reader.pos;
        const list = (slots[field.slot] as unknown[] | undefined) ?? (slots[field.slot] = []);
        const packed = new WireReader(buf, packedStart, packedEnd);
        while (packed.pos < packedEnd) list.push(readValue(field.kind, field, packed, buf, ctx, depth, rawBytes));
      } else {
        wrongWireType(reader, field, wireType, tagAt);
      }
      if (ctx.error) {
        ctx.errorPath.unshift(field.jsonName);
        return;
      }
    }
  } catch (error) {
    recordError(ctx, error, plan);
    if (field) ctx.errorPath.unshift(field.jsonName);
  }
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
  buf: Uint8Array,
  start: number,
  end: number,
  ctx: DecodeContext,
  depth: number,
  slots: unknown[],
): void {
  const reader = new WireReader(buf, start, end);
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
  if (value === undefined) {
    value = field.kind === KIND_MESSAGE ? decodeMessage(field.message!, buf, end, end, ctx, depth + 1) : field.absentJson ?? "";
  }
  const map = (slots[field.slot] as JsonObject | undefined) ?? (slots[field.slot] = {});
  const name = key === undefined ? "" : String(key);
  if (name === "__proto__") Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  else map[name] = value as JsonValue;
}

/** Applies the print rules of proto/README.md, in the schema's field order (the Go struct's order). */
function assemble(plan: MessagePlan, slots: unknown[], out: JsonObject): JsonObject {
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const value = slots[i];
    if (value === undefined || (field.shape === SHAPE_REPEATED && (value as unknown[]).length === 0)) {
      if (field.keep) out[field.jsonName] = field.absentJson;
      continue;
    }
    if (field.shape === SHAPE_SINGLE && !field.ptr && !field.keep && (value === "" || value === 0 || value === false)) {
      continue;
    }
    if (field.shape === SHAPE_MAP && !field.keep && isEmptyObject(value as JsonObject)) continue;
    if (field.inline) {
      mergeInline(out, value);
      continue;
    }
    out[field.jsonName] = field.shape === SHAPE_MAP ? sortKeys(value as JsonObject) : (value as JsonValue);
  }
  return out;
}

/** Go promotes an embedded struct's fields; a field of the outer struct with the same name wins. */
function mergeInline(out: JsonObject, value: unknown): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, item] of Object.entries(value as JsonObject)) if (!(key in out)) out[key] = item;
}

function isEmptyObject(value: JsonObject): boolean {
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return false;
  return true;
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
