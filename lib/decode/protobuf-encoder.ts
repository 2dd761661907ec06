// Kubernetes JSON + a compiled plan -> wire bytes: the inverse of protobuf-decoder for known types.
import { bytesOf, type FieldValues } from "./special-types";
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
  SHAPE_MAP,
  SHAPE_REPEATED,
  wireTypeOfKind,
  type FieldPlan,
  type MessagePlan,
} from "./plan";
import type { JsonObject, JsonValue } from "./types";
import { WireWriter } from "./wire";

export class EncodeError extends Error {
  constructor(message: string, path: string[]) {
    super(path.length > 0 ? `${path.join(".")}: ${message}` : message);
    this.name = "EncodeError";
  }
}

/** Keys an object carries that are not fields of its message (kind and apiVersion live in the envelope). */
const ENVELOPE_KEYS = new Set(["kind", "apiVersion"]);

export function encodeMessage(plan: MessagePlan, value: unknown, path: string[] = [], topLevel = false): Uint8Array {
  const writer = new WireWriter();
  if (plan.special) {
    const fields = plan.special.fromJson(value as JsonValue);
    if (fields === undefined) throw new EncodeError(`${JSON.stringify(value)} is not a valid ${plan.fullName}`, path);
    writeFieldValues(writer, plan, fields, path);
    return writer.finish();
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new EncodeError(`expected an object for ${plan.fullName}`, path);
  }
  const object = value as JsonObject;
  const names = jsonNamesOf(plan);
  for (const key of Object.keys(object)) {
    if (!names.has(key) && !(topLevel && ENVELOPE_KEYS.has(key))) {
      throw new EncodeError(`${plan.fullName} has no field "${key}"`, path);
    }
  }
  const values: FieldValues = {};
  for (const field of plan.fields) {
    values[field.number] = field.inline ? pickKeys(object, jsonNamesOf(field.message!)) : object[field.jsonName];
  }
  writeFieldValues(writer, plan, values, path);
  return writer.finish();
}

const jsonNamesCache = new WeakMap<MessagePlan, Set<string>>();

/** The JSON keys a message prints, its inline fields' keys included. */
function jsonNamesOf(plan: MessagePlan): Set<string> {
  let names = jsonNamesCache.get(plan);
  if (!names) {
    names = new Set();
    jsonNamesCache.set(plan, names);
    for (const field of plan.fields) {
      if (field.inline) for (const name of jsonNamesOf(field.message!)) names.add(name);
      else names.add(field.jsonName);
    }
  }
  return names;
}

function pickKeys(object: JsonObject, names: Set<string>): JsonObject {
  const picked: JsonObject = {};
  for (const key of Object.keys(object)) if (names.has(key)) picked[key] = object[key];
  return picked;
}

function writeFieldValues(writer: WireWriter, plan: MessagePlan, values: FieldValues, path: string[]): void {
  for (const field of plan.fieldsByNumber) {
    const value = values[field.number];
    if (value === undefined) continue;
    const fieldPath = [...path, field.jsonName];
    if (field.shape === SHAPE_MAP) writeMap(writer, field, value, fieldPath);
    else if (field.shape === SHAPE_REPEATED) {
      if (value === null) continue;
      if (!Array.isArray(value)) throw new EncodeError("expected a list", fieldPath);
      value.forEach((item, index) => writeSingle(writer, field, field.kind, field.number, item, [...fieldPath, String(index)]));
    } else writeSingle(writer, field, field.kind, field.number, value, fieldPath);
  }
}

function writeMap(writer: WireWriter, field: FieldPlan, value: unknown, path: string[]): void {
  if (value === null) return;
  if (typeof value !== "object" || Array.isArray(value)) throw new EncodeError("expected a map", path);
  // Go writes map entries sorted by key, so equal maps give equal bytes.
  for (const key of Object.keys(value).sort()) {
    const entry = new WireWriter();
    writeSingle(entry, field, field.mapKeyKind, 1, mapKeyValue(field.mapKeyKind, key), path);
    writeSingle(entry, field, field.kind, 2, (value as Record<string, unknown>)[key], [...path, key]);
    writer.message(field.number, entry.finish());
  }
}

function mapKeyValue(kind: number, key: string): unknown {
  if (kind === KIND_STRING) return key;
  if (kind === KIND_BOOL) return key === "true";
  return Number(key);
}

function writeSingle(writer: WireWriter, field: FieldPlan, kind: number, number: number, value: unknown, path: string[]): void {
  if (kind === KIND_MESSAGE) {
    // A null special (a zero Time) is still written, as an empty message, the way Go writes value structs.
    if (value === null && !field.message!.special) return;
    writer.message(number, encodeMessage(field.message!, value, path));
    return;
  }
  if (value === null) return;
  writer.tag(number, wireTypeOfKind(kind));
  switch (kind) {
    case KIND_STRING:
      if (typeof value !== "string") throw new EncodeError("expected a string", path);
      writer.string(value);
      return;
    case KIND_BYTES: {
      const bytes = bytesOf(value);
      if (!bytes) throw new EncodeError("expected base64 bytes", path);
      writer.bytes(bytes);
      return;
    }
    case KIND_BOOL:
      if (typeof value !== "boolean") throw new EncodeError("expected a boolean", path);
      writer.varint(value ? 1 : 0);
      return;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw new EncodeError("expected a number", path);
  switch (kind) {
    case KIND_INT32:
    case KIND_INT64:
    case KIND_ENUM:
      writer.signedVarint(Math.trunc(value));
      return;
    case KIND_UINT32:
    case KIND_UINT64:
      writer.varint(Math.max(0, Math.trunc(value)));
      return;
    case KIND_SINT32:
    case KIND_SINT64:
      writer.zigzag(Math.trunc(value));
      return;
    case KIND_FIXED32:
    case KIND_SFIXED32:
      writer.fixed32(value);
      return;
    case KIND_FIXED64:
    case KIND_SFIXED64:
      writer.fixed64(value);
      return;
    case KIND_FLOAT:
      writer.float(value);
      return;
    case KIND_DOUBLE:
      writer.double(value);
      return;
    default:
      throw new EncodeError(`field ${field.jsonName} has no schema to encode it with`, path);
  }
}
