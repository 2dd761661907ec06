// A per-message-type decoding plan, compiled once from the protobufjs reflection: field numbers to
// JSON names, value kinds, print rules and nested plans. Decoding then never touches reflection.
import protobuf from "protobufjs";
import type { SchemaError } from "./schema";
import { SPECIAL_TYPES, type SpecialType } from "./special-types";
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from "./wire";

export const KIND_DOUBLE = 1;
export const KIND_FLOAT = 2;
export const KIND_INT64 = 3;
export const KIND_UINT64 = 4;
export const KIND_INT32 = 5;
export const KIND_FIXED64 = 6;
export const KIND_FIXED32 = 7;
export const KIND_BOOL = 8;
export const KIND_STRING = 9;
export const KIND_BYTES = 10;
export const KIND_UINT32 = 11;
export const KIND_SFIXED32 = 12;
export const KIND_SFIXED64 = 13;
export const KIND_SINT32 = 14;
export const KIND_SINT64 = 15;
export const KIND_ENUM = 16;
export const KIND_MESSAGE = 17;
/** A message or enum type name the schemas do not define: decoded without a schema. */
export const KIND_UNRESOLVED = 18;

const SCALAR_KINDS: Record<string, number> = {
  double: KIND_DOUBLE,
  float: KIND_FLOAT,
  int64: KIND_INT64,
  uint64: KIND_UINT64,
  int32: KIND_INT32,
  fixed64: KIND_FIXED64,
  fixed32: KIND_FIXED32,
  bool: KIND_BOOL,
  string: KIND_STRING,
  bytes: KIND_BYTES,
  uint32: KIND_UINT32,
  sfixed32: KIND_SFIXED32,
  sfixed64: KIND_SFIXED64,
  sint32: KIND_SINT32,
  sint64: KIND_SINT64,
};

export const SHAPE_SINGLE = 0;
export const SHAPE_REPEATED = 1;
export const SHAPE_MAP = 2;

export interface FieldPlan {
  number: number;
  name: string;
  jsonName: string;
  slot: number;
  shape: number;
  kind: number;
  /** The wire type an unpacked value of this kind arrives with. */
  wireType: number;
  message: MessagePlan | undefined;
  mapKeyKind: number;
  /** The Go field is a pointer to a scalar: printed whenever present. */
  ptr: boolean;
  /** No omitempty: zero scalars print, absent lists, maps and pointers print null. */
  keep: boolean;
  /** An embedded Go struct: its fields print in the parent object. */
  inline: boolean;
  /** Go's omitzero on a message: left out when it prints as null (a zero Time). */
  omitZero: boolean;
  /** What a keep field prints when it is absent. */
  absentJson: null | string | number | boolean;
}

export interface MessagePlan {
  fullName: string;
  fields: FieldPlan[];
  /** Field plans indexed by field number (sparse). */
  byNumber: (FieldPlan | undefined)[];
  /** Fields in field-number order, the order Go writes them. */
  fieldsByNumber: FieldPlan[];
  special: SpecialType | undefined;
  /** Whether any field is inline; assembling such messages needs the slower merge path. */
  hasInline: boolean;
  /** The generated decoder, compiled on first use (see compile-decoder.ts). */
  decoder: CompiledDecoder | undefined;
}

/** Reads the message from reader.pos up to end (the reader's end is already narrowed to it). */
export type CompiledDecoder = (
  reader: import("./wire").WireReader,
  buf: Uint8Array,
  end: number,
  ctx: unknown,
  depth: number,
  into: Record<string, unknown> | undefined,
) => unknown;

export function wireTypeOfKind(kind: number): number {
  switch (kind) {
    case KIND_DOUBLE:
    case KIND_FIXED64:
    case KIND_SFIXED64:
      return WIRE_FIXED64;
    case KIND_FLOAT:
    case KIND_FIXED32:
    case KIND_SFIXED32:
      return WIRE_FIXED32;
    case KIND_STRING:
    case KIND_BYTES:
    case KIND_MESSAGE:
    case KIND_UNRESOLVED:
      return WIRE_LENGTH_DELIMITED;
    default:
      return WIRE_VARINT;
  }
}

export function isPackable(kind: number): boolean {
  return wireTypeOfKind(kind) !== WIRE_LENGTH_DELIMITED;
}

function zeroJsonOf(kind: number): null | string | number | boolean {
  switch (kind) {
    case KIND_STRING:
      return "";
    case KIND_BOOL:
      return false;
    case KIND_BYTES:
    case KIND_MESSAGE:
    case KIND_UNRESOLVED:
      return null;
    default:
      return 0;
  }
}

/** Compiles plans on demand and caches them per type; dangling type names are reported once. */
export class PlanCompiler {
  private readonly plans = new Map<protobuf.Type, MessagePlan>();

  constructor(private readonly errors: SchemaError[]) {}

  planOf(type: protobuf.Type): MessagePlan {
    const existing = this.plans.get(type);
    if (existing) return existing;
    const fullName = type.fullName.replace(/^\./, "");
    const plan: MessagePlan = {
      fullName,
      fields: [],
      byNumber: [],
      fieldsByNumber: [],
      special: SPECIAL_TYPES.get(fullName),
      hasInline: false,
      decoder: undefined,
    };
    // Registered before its fields are compiled, so recursive types (JSONSchemaProps) terminate.
    this.plans.set(type, plan);
    for (const field of type.fieldsArray) {
      const fieldPlan = this.planField(type, field, plan.fields.length);
      plan.fields.push(fieldPlan);
      plan.byNumber[field.id] = fieldPlan;
    }
    plan.fieldsByNumber = [...plan.fields].sort((a, b) => a.number - b.number);
    plan.hasInline = plan.fields.some((field) => field.inline);
    return plan;
  }

  private planField(owner: protobuf.Type, field: protobuf.Field, slot: number): FieldPlan {
    const options = field.options ?? {};
    const isMap = field instanceof protobuf.MapField;
    const [kind, message] = this.resolveKind(owner, field, field.type);
    const ptr = options["(etcdlens.ptr)"] === true;
    return {
      number: field.id,
      name: field.name,
      jsonName: typeof options.json_name === "string" ? options.json_name : field.name,
      slot,
      shape: isMap ? SHAPE_MAP : field.repeated ? SHAPE_REPEATED : SHAPE_SINGLE,
      kind,
      wireType: wireTypeOfKind(kind),
      message,
      mapKeyKind: isMap ? (SCALAR_KINDS[(field as protobuf.MapField).keyType] ?? KIND_STRING) : 0,
      ptr,
      keep: options["(etcdlens.keep)"] === true,
      inline: options["(etcdlens.inline)"] === true && kind === KIND_MESSAGE,
      omitZero: options["(etcdlens.omitzero)"] === true,
      // A nil pointer prints null, like a nil list or map; a value field prints its zero.
      absentJson: isMap || field.repeated || ptr ? null : zeroJsonOf(kind),
    };
  }

  private resolveKind(owner: protobuf.Type, field: protobuf.Field, typeName: string): [number, MessagePlan | undefined] {
    const scalar = SCALAR_KINDS[typeName];
    if (scalar !== undefined) return [scalar, undefined];
    const found = owner.lookup(typeName, [protobuf.Type, protobuf.Enum]);
    if (found instanceof protobuf.Enum) return [KIND_ENUM, undefined];
    if (found instanceof protobuf.Type) return [KIND_MESSAGE, this.planOf(found)];
    this.errors.push({
      file: owner.filename ?? owner.fullName,
      message: `${owner.fullName.replace(/^\./, "")}.${field.name} refers to ${typeName}, which no schema defines; it is decoded without a schema`,
    });
    return [KIND_UNRESOLVED, undefined];
  }
}
