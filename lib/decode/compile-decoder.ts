// Generates one decoder function per message type. Fields are read straight off the wire into local
// variables, then assembled once into the final JSON object in Go's field order: JSON keys become
// constant property names and every call site is monomorphic, which V8 turns into fast code.
// Generated code only ever calls the helpers passed in below; it never allocates a closure, looks up a
// Map, or catches inside its loop (one try around the whole loop records the first error).
import * as planKinds from "./plan";
import type { CompiledDecoder, FieldPlan, MessagePlan } from "./plan";
import { MAX_SPECIAL_FIELD } from "./special-types";
import type { SliceableBuffer } from "./bytes";
import type { WireReader } from "./wire";

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

/** What generated code may call, by name. `buf` is always a SliceableBuffer (see bytes.ts). */
export interface DecoderHelpers {
  decodeSchemaless: (buf: Uint8Array, start: number, end: number, depth: number) => unknown;
  decoderOf: (plan: MessagePlan) => CompiledDecoder;
  readString: (reader: WireReader, buf: SliceableBuffer, start: number, end: number) => string;
  readPacked: (field: FieldPlan, reader: WireReader, list: unknown[] | undefined) => unknown[];
  wrongWireType: (reader: WireReader, field: FieldPlan, wireType: number, at: number) => never;
  recordError: (ctx: unknown, error: unknown, plan: MessagePlan) => void;
  tooDeep: (ctx: unknown, plan: MessagePlan, at: number) => void;
  mergeInline: (out: Record<string, unknown>, value: unknown, shadowed: ReadonlySet<string>) => void;
  sortKeys: (map: unknown) => unknown;
  setOwnKey: (object: Record<string, unknown>, key: string, value: unknown) => void;
  /** Returns value, after recording in ctx how deep it nests (see levelsBound in protobuf-decoder.ts). */
  noteOpaque: (ctx: unknown, value: unknown, depth: number) => unknown;
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

/** Tags of fields 1-2047 are one or two bytes: read them without a call. */
const READ_TAG =
  "const tagAt = r.pos; let tag = buf[tagAt]; if (tag < 128) r.pos = tagAt + 1; " +
  "else if (tagAt + 1 < r.end && buf[tagAt + 1] < 128) { tag = (tag & 127) | (buf[tagAt + 1] << 7); r.pos = tagAt + 2; } " +
  "else tag = r.uint32();";

/**
 * Sets p to the payload start and r.pos past the payload. Lengths below 128 (most strings) are read
 * without a call; anything else, and every error, goes through lengthDelimited.
 */
const READ_LENGTH =
  "(p = r.pos, ln = buf[p], ln < 128 && p + 1 + ln <= r.end ? (r.pos = p + 1 + ln, p = p + 1) : (p = r.lengthDelimited()))";

/** Calls the nested decoder of m<i> on the message whose payload starts at p and ends at r.pos. */
function nestedCall(plan: string, into: string): string {
  return `(ve = r.pos, oe = r.end, r.pos = p, r.end = ve, v = (${plan}.decoder || h.decoderOf(${plan}))(r, buf, ve, ctx, depth + 1, ${into}), r.end = oe, r.pos = ve, v)`;
}

/** An expression that reads one value of the field's kind at r.pos. */
function readExpression(kind: number, plan: string, rawBytes: boolean): string {
  switch (kind) {
    case KIND_STRING:
      return `(${READ_LENGTH}, h.readString(r, buf, p, r.pos))`;
    case KIND_BYTES:
      return rawBytes ? `(${READ_LENGTH}, buf.subarray(p, r.pos))` : `(${READ_LENGTH}, buf.base64Slice(p, r.pos))`;
    case KIND_MESSAGE:
      // The nested message is read with this reader, narrowed to it: no allocation per message.
      return `(${READ_LENGTH}, ${nestedCall(plan, "undefined")})`;
    case KIND_UNRESOLVED:
      return "(p = r.lengthDelimited(), h.noteOpaque(ctx, h.decodeSchemaless(buf, p, r.pos, depth + 1), depth + 1))";
    default:
      return READERS[kind];
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

/** The JSON keys a message prints, its inline fields' keys included. */
function printedNames(plan: MessagePlan, seen = new Set<MessagePlan>()): string[] {
  if (seen.has(plan)) return [];
  seen.add(plan);
  return plan.fields.flatMap((field) => (field.inline ? printedNames(field.message!, seen) : [field.jsonName]));
}

/**
 * Inline fields normally decode straight into the parent's object, at their place in the field order.
 * When a name clashes (Go: the shallower field wins, then the first), they go through mergeInline.
 */
function inlineFieldsToMerge(plan: MessagePlan): Set<FieldPlan> {
  const merged = new Set<FieldPlan>();
  const inline = plan.fields.filter((field) => field.inline);
  if (inline.length === 0) return merged;
  for (const field of inline) {
    const others = plan.fields
      .filter((other) => other !== field)
      .flatMap((other) => (other.inline ? printedNames(other.message!) : [other.jsonName]));
    const own = new Set(printedNames(field.message!));
    if (others.some((name) => own.has(name))) merged.add(field);
  }
  return merged;
}

export function compileDecoder(plan: MessagePlan, helpers: DecoderHelpers): CompiledDecoder {
  const rawBytes = plan.special !== undefined;
  const fields = plan.fields;
  const merged = inlineFieldsToMerge(plan);
  // A special type returns its own JSON rather than filling `into`, so it cannot be read in place.
  const direct = (field: FieldPlan) => field.inline && !rawBytes && !merged.has(field) && field.message?.special === undefined;
  const slot = (i: number) => `s${i}`;
  const lines: string[] = [];
  const slots = fields.flatMap((field, i) => (direct(field) ? [`${slot(i)}s = -1`, `${slot(i)}e = -1`] : [slot(i)]));
  lines.push(`let p = 0, ln = 0, ve = 0, oe = 0, v = undefined, field = undefined${slots.map((s) => `, ${s}`).join("")};`);
  lines.push(
    "if (depth > h.maxDepth) h.tooDeep(ctx, plan, r.pos); else {",
    // For the nesting limit: see levelsBound in protobuf-decoder.ts.
    "if (depth > ctx.deepest) ctx.deepest = depth;",
    "try {",
    "loop: while (r.pos < end) {",
    READ_TAG,
    "switch (tag) {",
  );
  fields.forEach((field, i) => {
    const s = slot(i);
    const name = JSON.stringify(field.jsonName);
    const errorCheck = canRecordError(field) ? ` if (ctx.error) { ctx.errorPath.unshift(${name}); break loop; }` : "";
    if (field.shape === SHAPE_MAP) {
      lines.push(`case ${field.number * 8 + 2}: { field = ${name}; ${s} = entry${i}(r, buf, ctx, depth, ${s});${errorCheck} continue; }`);
      return;
    }
    const tag = field.number * 8 + wireTypeOfKind(field.kind);
    if (direct(field)) {
      // Only the range is kept here; the fields are read into the parent's object when it is assembled.
      lines.push(`case ${tag}: { field = ${name}; ${s}s = r.lengthDelimited(); ${s}e = r.pos; continue; }`);
      return;
    }
    const read = readExpression(field.kind, `m${i}`, rawBytes);
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
    const byNumber = Array.from({ length: MAX_SPECIAL_FIELD }, (_, n) => {
      const index = fields.findIndex((field) => field.number === n + 1);
      return index < 0 ? "undefined" : slot(index);
    });
    const json = `special.toJson(${byNumber.join(", ")}, ctx)`;
    lines.push(plan.special.opaque ? `return h.noteOpaque(ctx, ${json}, depth);` : `return ${json};`);
  } else {
    lines.push("const out = into === undefined ? new Out() : into;");
    fields.forEach((field, i) => lines.push(direct(field) ? assembleDirectInline(slot(i), i) : assembleLine(field, slot(i))));
    lines.push("return out;");
  }
  const entryFunctions = fields.map((field, i) => (field.shape === SHAPE_MAP ? mapEntryFunction(field, i) : "")).join("\n");
  const nested = fields.map((field, i) => `m${i} = fields[${i}].message`).join(", ");
  const source = [
    '"use strict";',
    `const special = plan.special${nested ? `, ${nested}` : ""};`,
    // Plain objects (their prototype is Object.prototype), made by a constructor so that V8 sizes them
    // to the properties this type's objects get: a {} holds 4 in place and grows a separate store for
    // the rest, copied again every few properties (PodSpec has 40).
    "function Out() {}",
    "Out.prototype = Object.prototype;",
    // Go hides an embedded struct's field behind the parent's own field of the same name.
    `const shadowed = new Set(${JSON.stringify(fields.filter((field) => !field.inline).map((field) => field.jsonName))});`,
    entryFunctions,
    // Named after the type, so profiles and stack traces say which decoder is which.
    `return function decode_${identifierOf(plan.fullName)}(r, buf, end, ctx, depth, into) {\n${lines.join("\n")}\n};`,
  ].join("\n");
  const factory = new Function("h", "plan", "fields", source);
  return factory(helpers, plan, fields) as CompiledDecoder;
}

function identifierOf(fullName: string): string {
  return fullName.replace(/[^A-Za-z0-9]+/g, "_");
}

/** The print rules of proto/README.md for one field, as a line of generated code. */
function assembleLine(field: FieldPlan, s: string): string {
  const key = `out[${JSON.stringify(field.jsonName)}]`;
  const absent = field.keep ? ` else ${key} = ${JSON.stringify(field.absentJson)};` : "";
  if (field.shape === SHAPE_MAP) return `if (${s} !== undefined) ${key} = h.sortKeys(${s});${absent}`;
  if (field.shape === SHAPE_REPEATED) return `if (${s} !== undefined && ${s}.length > 0) ${key} = ${s};${absent}`;
  if (field.inline) return `if (${s} !== undefined) h.mergeInline(out, ${s}, shadowed);`;
  if (field.omitZero) return `if (${s} !== undefined && ${s} !== null) ${key} = ${s};`;
  // A message on the wire is a non-nil Go pointer or a value struct: printed whatever it holds, even
  // when a special type prints it as a zero scalar (IntOrString 0, Quantity "0", RawExtension false).
  if (field.kind === KIND_MESSAGE || field.kind === KIND_UNRESOLVED || field.ptr || field.keep) {
    return `if (${s} !== undefined) ${key} = ${s};${absent}`;
  }
  return `if (${s} !== undefined && ${s} !== ${zeroLiteral(field)}) ${key} = ${s};`;
}

/** An inline message read into the parent's object, at its place in the field order. */
function assembleDirectInline(s: string, i: number): string {
  return `if (${s}s >= 0) { p = ${s}s; r.pos = ${s}e; ${nestedCall(`m${i}`, "out")}; }`;
}

/**
 * A map entry is a small message: key = 1, value = 2; either may be missing and then is zero.
 * It is read with the parent's reader, narrowed to the entry: no allocation per entry.
 */
function mapEntryFunction(field: FieldPlan, i: number): string {
  const keyTag = 8 + wireTypeOfKind(field.mapKeyKind);
  const valueTag = 16 + field.wireType;
  const missingValue =
    field.kind === KIND_MESSAGE ? `(p = end, ${nestedCall(`m${i}`, "undefined")})` : JSON.stringify(field.absentJson ?? "");
  const keyText = field.mapKeyKind === KIND_STRING ? 'k === undefined ? "" : k' : 'k === undefined ? "" : String(k)';
  return `function entry${i}(r, buf, ctx, depth, map) {
const start = r.lengthDelimited(), end = r.pos, outerEnd = r.end;
r.pos = start; r.end = end;
let p = 0, ln = 0, ve = 0, oe = 0, v = undefined, k = undefined, value = undefined;
while (r.pos < end) {
${READ_TAG}
if (tag === ${keyTag}) k = ${readExpression(field.mapKeyKind, "undefined", false)};
else if (tag === ${valueTag}) value = ${readExpression(field.kind, `m${i}`, false)};
else {
const number = tag >>> 3;
if (number === 1 || number === 2) h.wrongWireType(r, fields[${i}], tag & 7, tagAt);
if (number === 0) r.fail("field number 0 is not valid", tagAt);
r.skip(tag & 7, number);
}
if (ctx.error) break;
}
r.pos = end;
if (value === undefined) value = ${missingValue};
r.end = outerEnd;
r.pos = end;
const name = ${keyText};
if (map === undefined) map = new Out();
if (name === "__proto__") h.setOwnKey(map, name, value); else map[name] = value;
return map;
}`;
}
