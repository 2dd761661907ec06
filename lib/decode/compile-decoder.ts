// Generates one decoder function per message type. Slots become local variables and JSON keys become
// constant property names, which V8 turns into fast, monomorphic code; interpreting the plan per field
// was four times slower. The generated code only ever calls the helpers passed in below.
import { readUtf8, toBase64 } from "./bytes";
import * as planKinds from "./plan";
import type { CompiledDecoder, FieldPlan, MessagePlan } from "./plan";
import { decodeSchemaless } from "./schemaless";
import { WireReader } from "./wire";

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
  SHAPE_MAP,
  SHAPE_REPEATED,
  SHAPE_SINGLE,
  isPackable,
  wireTypeOfKind,
} = planKinds;

/** What generated code may call, by name. */
export interface DecoderHelpers {
  WireReader: typeof WireReader;
  readUtf8: typeof readUtf8;
  toBase64: typeof toBase64;
  decodeSchemaless: typeof decodeSchemaless;
  decodeMessage: (plan: MessagePlan, buf: Uint8Array, start: number, end: number, ctx: unknown, depth: number) => unknown;
  decoderOf: (plan: MessagePlan) => CompiledDecoder;
  readMapEntry: (field: FieldPlan, reader: WireReader, buf: Uint8Array, ctx: unknown, depth: number, map: unknown) => unknown;
  readPacked: (field: FieldPlan, reader: WireReader, list: unknown[] | undefined) => unknown[];
  wrongWireType: (reader: WireReader, field: FieldPlan, wireType: number, at: number) => never;
  recordError: (ctx: unknown, error: unknown, plan: MessagePlan) => void;
  tooDeep: (ctx: unknown, plan: MessagePlan, at: number) => void;
  mergeInline: (out: Record<string, unknown>, value: unknown) => void;
  sortKeys: (map: unknown) => unknown;
  maxDepth: number;
}

const READERS: Record<number, string> = {
  [KIND_INT64]: "r.int64()",
  [KIND_INT32]: "r.int32()",
  [KIND_ENUM]: "r.int32()",
  [KIND_BOOL]: "r.bool()",
  [KIND_UINT32]: "r.uint32()",
  [KIND_UINT64]: "r.uint64()",
  [KIND_SINT32]: "r.sint32()",
  [KIND_SINT64]: "r.sint64()",
  [KIND_DOUBLE]: "r.double()",
  [KIND_FLOAT]: "r.float()",
  [KIND_FIXED32]: "r.fixed32()",
  [KIND_SFIXED32]: "r.sfixed32()",
  [KIND_FIXED64]: "r.fixed64()",
  [KIND_SFIXED64]: "r.sfixed64()",
};

function readExpression(field: FieldPlan, index: number, rawBytes: boolean): string {
  switch (field.kind) {
    case KIND_STRING:
      return "(p = r.lengthDelimited(), h.readUtf8(buf, p, r.pos))";
    case KIND_BYTES:
      return rawBytes ? "(p = r.lengthDelimited(), buf.subarray(p, r.pos))" : "(p = r.lengthDelimited(), h.toBase64(buf, p, r.pos))";
    case KIND_MESSAGE:
      // The nested message is read with this reader, narrowed to it: no allocation per message.
      return `(p = r.lengthDelimited(), ve = r.pos, oe = r.end, r.pos = p, r.end = ve, v = (m${index}.decoder || h.decoderOf(m${index}))(r, buf, ve, ctx, depth + 1, undefined), r.end = oe, r.pos = ve, v)`;
    case KIND_UNRESOLVED:
      return "(p = r.lengthDelimited(), h.decodeSchemaless(buf, p, r.pos, depth + 1))";
    default:
      return READERS[field.kind];
  }
}

/** Whether reading the field can record an error in the context (nested decoders do not throw). */
function canRecordError(field: FieldPlan): boolean {
  return field.kind === KIND_MESSAGE || field.shape === SHAPE_MAP;
}

function zeroLiteral(field: FieldPlan): string {
  if (field.kind === KIND_STRING || field.kind === KIND_BYTES) return '""';
  if (field.kind === KIND_BOOL) return "false";
  return "0";
}

export function compileDecoder(plan: MessagePlan, helpers: DecoderHelpers): CompiledDecoder {
  const rawBytes = plan.special !== undefined;
  const fields = plan.fields;
  const lines: string[] = [];
  const slot = (i: number) => `s${i}`;
  if (fields.length > 0) lines.push(`let ${fields.map((_, i) => slot(i)).join(", ")};`);
  lines.push(
    "if (depth > h.maxDepth) h.tooDeep(ctx, plan, r.pos); else {",
    "let p = 0, ve = 0, oe = 0, v = undefined, field = undefined;",
    "try {",
    "loop: while (r.pos < end) {",
    "const tagAt = r.pos;",
    "const tag = r.uint32();",
    "switch (tag) {",
  );
  fields.forEach((field, i) => {
    const s = slot(i);
    const name = JSON.stringify(field.jsonName);
    const errorCheck = canRecordError(field) ? ` if (ctx.error) { ctx.errorPath.unshift(${name}); break loop; }` : "";
    if (field.shape === SHAPE_MAP) {
      lines.push(`case ${field.number * 8 + 2}: { field = ${name}; ${s} = h.readMapEntry(fields[${i}], r, buf, ctx, depth, ${s});${errorCheck} continue; }`);
      return;
    }
    const tag = field.number * 8 + wireTypeOfKind(field.kind);
    const read = readExpression(field, i, rawBytes);
    const store = field.shape === SHAPE_SINGLE ? `${s} = ${read};` : `(${s} ??= []).push(${read});`;
    lines.push(`case ${tag}: { field = ${name}; ${store}${errorCheck} continue; }`);
    if (field.shape === SHAPE_REPEATED && isPackable(field.kind)) {
      lines.push(`case ${field.number * 8 + 2}: field = ${name}; ${s} = h.readPacked(fields[${i}], r, ${s}); continue;`);
    }
  });
  lines.push(
    "default: {",
    "const number = tag >>> 3;",
    'if (number === 0) r.fail("field number 0 is not valid", tagAt);',
    "const known = plan.byNumber[number];",
    "if (known !== undefined) h.wrongWireType(r, known, tag & 7, tagAt);",
    "r.skip(tag & 7, number);",
    "}",
    "}",
    "}",
    "} catch (error) { h.recordError(ctx, error, plan); if (field !== undefined) ctx.errorPath.unshift(field); }",
    "}",
  );
  if (plan.special) {
    lines.push("const values = {};");
    fields.forEach((field, i) => lines.push(`if (${slot(i)} !== undefined) values[${field.number}] = ${slot(i)};`));
    lines.push("return plan.special.toJson(values, ctx);");
  } else {
    lines.push("const out = into === undefined ? {} : into;");
    fields.forEach((field, i) => lines.push(assembleLine(field, slot(i))));
    lines.push("return out;");
  }
  const body = lines.filter((line) => line !== "").join("\n");
  const nested = fields.map((field, i) => `m${i} = fields[${i}].message`).join(", ");
  const factory = new Function(
    "h",
    "plan",
    "fields",
    `"use strict"; const ${nested || "none = undefined"}; return function decode(r, buf, end, ctx, depth, into) {\n${body}\n};`,
  );
  return factory(helpers, plan, fields) as CompiledDecoder;
}

/** The print rules of proto/README.md for one field, as a line of generated code. */
function assembleLine(field: FieldPlan, s: string): string {
  const key = `out[${JSON.stringify(field.jsonName)}]`;
  const absent = field.keep ? ` else ${key} = ${JSON.stringify(field.absentJson)};` : "";
  if (field.shape === SHAPE_MAP) return `if (${s} !== undefined) ${key} = h.sortKeys(${s});${absent}`;
  if (field.shape === SHAPE_REPEATED) return `if (${s} !== undefined && ${s}.length > 0) ${key} = ${s};${absent}`;
  if (field.inline) return `if (${s} !== undefined) h.mergeInline(out, ${s});`;
  if (field.kind === KIND_MESSAGE || field.kind === KIND_UNRESOLVED || field.ptr || field.keep) {
    return `if (${s} !== undefined) ${key} = ${s};${absent}`;
  }
  return `if (${s} !== undefined && ${s} !== ${zeroLiteral(field)}) ${key} = ${s};`;
}
