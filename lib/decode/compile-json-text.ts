// A second code generator beside compile-decoder.ts: one function per message type that reads the wire
// and appends the object's JSON as parts (constant keys, slices of the input) to one list that is joined
// once, with the same field order and print rules: no object is built, JSON.stringify never walks one,
// and no byte is copied in JavaScript.
//
// Each field is written as a segment `,"key":value` the moment it is read. Kubernetes writes fields in
// number order, which is usually Go's declaration order; when it is not (or a keep field is absent),
// the message's segments are copied back in declaration order at its end. A message then turns its
// first comma into "{". Anything whose exact output would depend on how a JS object orders or merges
// keys (a field repeated on the wire, clashing inline fields, unsorted or integer-like map keys, packed
// lists) sets ctx.fallback, and the caller redoes the value on the object path.
import * as planKinds from "./plan";
import type { CompiledDecoder, CompiledTextDecoder, FieldPlan, MessagePlan } from "./plan";
import { READ_LENGTH, READ_TAG, identifierOf, inlineFieldsToMerge } from "./compile-decoder";
import type { SliceableBuffer } from "./bytes";
import type { WireReader } from "./wire";

const { KIND_BOOL, KIND_BYTES, KIND_DOUBLE, KIND_FLOAT, KIND_MESSAGE, KIND_STRING, KIND_UNRESOLVED, SHAPE_MAP, SHAPE_REPEATED, SHAPE_SINGLE } =
  planKinds;
const { isPackable, wireTypeOfKind } = planKinds;

export const OBJECT_META = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/** What generated text decoders may call, by name. Output is a list of JSON parts, joined at the end. */
export interface TextDecoderHelpers {
  decoderOf: (plan: MessagePlan) => CompiledDecoder;
  textDecoderOf: (plan: MessagePlan) => CompiledTextDecoder;
  decodeSchemaless: (buf: Uint8Array, start: number, end: number, depth: number) => unknown;
  readString: (reader: WireReader, buf: SliceableBuffer, start: number, end: number) => string;
  wrongWireType: (reader: WireReader, field: FieldPlan, wireType: number, at: number) => never;
  recordError: (ctx: unknown, error: unknown, plan: MessagePlan) => void;
  tooDeep: (ctx: unknown, plan: MessagePlan, at: number) => void;
  /** Appends text that is already JSON. */
  push: (ctx: unknown, text: string) => void;
  /** A string field's bytes as a JSON string, quotes included. */
  writeString: (ctx: unknown, reader: WireReader, buf: SliceableBuffer, start: number, end: number) => void;
  /** Any JSON value (what special types and schemaless decoding return). */
  writeJson: (ctx: unknown, value: unknown) => void;
  /** Whether a map key would be ordered before the others by a JS object (see json-text-decoder.ts). */
  isArrayIndex: (key: string) => boolean;
  /** Rewrites the segments from base in declaration order, inserting the given ones for absent fields. */
  reorder: (ctx: unknown, base: number, starts: number[], inserts: (string | undefined)[]) => void;
  /** The resourceVersion segment the API server would add to the top-level metadata, if any. */
  resourceVersionSegment: (ctx: unknown) => string | undefined;
  /** Closes a message written from base: `,"a":1` becomes `{"a":1}`, nothing becomes `{}`. */
  closeObject: (ctx: unknown, base: number) => void;
  maxDepth: number;
}

const SCALAR_READERS: Record<number, string> = {
  [planKinds.KIND_INT64]: "r.int64()",
  [planKinds.KIND_INT32]: "r.int32()",
  [planKinds.KIND_ENUM]: "r.int32()",
  [planKinds.KIND_BOOL]: "r.bool()",
  [planKinds.KIND_UINT32]: "r.uint32()",
  [planKinds.KIND_UINT64]: "r.uint64()",
  [planKinds.KIND_SINT32]: "r.sint32()",
  [planKinds.KIND_SINT64]: "r.sint64()",
  [planKinds.KIND_DOUBLE]: "r.double()",
  [planKinds.KIND_FLOAT]: "r.float()",
  [planKinds.KIND_FIXED32]: "r.fixed32()",
  [planKinds.KIND_SFIXED32]: "r.sfixed32()",
  [planKinds.KIND_FIXED64]: "r.fixed64()",
  [planKinds.KIND_SFIXED64]: "r.sfixed64()",
};

/** Runs `call` on the nested message whose payload starts at p and ends at r.pos, with this reader. */
function nested(call: string): string {
  return `ve = r.pos; oe = r.end; r.pos = p; r.end = ve; ${call}; r.end = oe; r.pos = ve;`;
}

function objectCall(plan: string): string {
  return `v = (${plan}.decoder || h.decoderOf(${plan}))(r, buf, ve, ctx, depth + 1, undefined)`;
}

function textCall(plan: string, inline: boolean): string {
  return `(${plan}.textDecoder || h.textDecoderOf(${plan}))(r, buf, ve, ctx, depth + 1, ${inline})`;
}

/** Statements that write one value at r.pos (its length prefix not yet read) as JSON. */
function writeValue(field: FieldPlan, plan: string, readLength: string): string {
  switch (field.kind) {
    case KIND_STRING:
      return `${readLength} h.writeString(ctx, r, buf, p, r.pos);`;
    case KIND_BYTES:
      return `${readLength} h.push(ctx, '"' + buf.base64Slice(p, r.pos) + '"');`;
    case KIND_MESSAGE:
      return field.message!.special
        ? `${readLength} ${nested(objectCall(plan))} h.writeJson(ctx, v);`
        : `${readLength} ${nested(textCall(plan, false))}`;
    case KIND_UNRESOLVED:
      return "p = r.lengthDelimited(); h.writeJson(ctx, h.decodeSchemaless(buf, p, r.pos, depth + 1));";
    default:
      return `h.push(ctx, ${scalarText(field.kind, SCALAR_READERS[field.kind])});`;
  }
}

function scalarText(kind: number, value: string): string {
  if (kind === KIND_BOOL) return `(${value} ? "true" : "false")`;
  // JSON.stringify prints NaN and the infinities as null.
  if (kind === KIND_DOUBLE || kind === KIND_FLOAT) return `((v = ${value}), Number.isFinite(v) ? "" + v : "null")`;
  return `("" + ${value})`;
}

function zeroLiteral(field: FieldPlan): string {
  if (field.kind === KIND_BOOL) return "false";
  return "0";
}

function isRootMetadata(field: FieldPlan): boolean {
  return field.jsonName === "metadata" && field.shape === SHAPE_SINGLE && !field.inline && field.message?.fullName === OBJECT_META;
}

/** Whether the ObjectMeta field is the plain omitempty string the resourceVersion fill expects. */
export function isFillableResourceVersion(field: FieldPlan): boolean {
  return field.jsonName === "resourceVersion" && field.kind === KIND_STRING && field.shape === SHAPE_SINGLE && !field.ptr && !field.keep && !field.inline;
}

const READ = `${READ_LENGTH};`;
const FALLBACK = "{ ctx.fallback = true; return; }";

export function compileTextDecoder(plan: MessagePlan, helpers: TextDecoderHelpers): CompiledTextDecoder {
  const fields = plan.fields;
  const merged = inlineFieldsToMerge(plan);
  const direct = (field: FieldPlan) => field.inline && !merged.has(field) && field.message?.special === undefined;
  const fillsResourceVersion = (field: FieldPlan) => plan.fullName === OBJECT_META && isFillableResourceVersion(field);
  const keys = fields.map((field) => `,${JSON.stringify(field.jsonName)}:`);
  const absent = fields.map((field) => (field.keep && !field.inline ? `,${JSON.stringify(field.jsonName)}:${JSON.stringify(field.absentJson)}` : undefined));
  const lines: string[] = [];
  lines.push(
    `let p = 0, ln = 0, ve = 0, oe = 0, v = undefined, k = undefined, last = -1, ordered = true, open = -1, closer = ""${fields.map((_, i) => `, s${i} = -1, mk${i} = undefined`).join("")};`,
    "const base = ctx.len;",
    "if (depth > h.maxDepth) { h.tooDeep(ctx, plan, r.pos); return; }",
    "try {",
    "while (r.pos < end) {",
    READ_TAG,
    "switch (tag) {",
  );
  fields.forEach((field, i) => {
    const s = `s${i}`;
    // A list or map stays open while its entries follow each other; any other field closes it.
    const closeOther = `if (open !== ${i} && open >= 0) { h.push(ctx, closer); open = -1; }`;
    const start = `if (${s} !== -1) ${FALLBACK} if (${i} < last) ordered = false; last = ${i}; ${s} = ctx.len;`;
    const check = " if (ctx.error !== undefined || ctx.fallback) return;";
    if (field.shape === SHAPE_MAP) {
      lines.push(
        `case ${field.number * 8 + 2}: { ${closeOther} if (open !== ${i}) { ${start} h.push(ctx, keys[${i}]); h.push(ctx, "{"); open = ${i}; closer = "}"; }`,
        `k = entry${i}(r, buf, ctx, depth, ctx.len === ${s} + 2);${check}`,
        `if (h.isArrayIndex(k) || (mk${i} !== undefined && !(mk${i} < k))) ${FALLBACK} mk${i} = k; continue; }`,
      );
      return;
    }
    const tag = field.number * 8 + wireTypeOfKind(field.kind);
    if (field.inline) {
      lines.push(
        direct(field)
          ? `case ${tag}: { ${closeOther} ${start} ${READ} ${nested(textCall(`m${i}`, true))}${check} continue; }`
          : // The object path merges these key by key; not worth repeating here.
            `case ${tag}: ${FALLBACK}`,
      );
      return;
    }
    if (field.shape === SHAPE_REPEATED) {
      lines.push(
        `case ${tag}: { ${closeOther} if (open !== ${i}) { ${start} h.push(ctx, keys[${i}]); h.push(ctx, "["); open = ${i}; closer = "]"; } else h.push(ctx, ",");`,
        `${writeValue(field, `m${i}`, READ)}${check} continue; }`,
      );
      if (isPackable(field.kind)) lines.push(`case ${field.number * 8 + 2}: ${FALLBACK}`);
      return;
    }
    let body: string;
    if (field.kind === KIND_STRING || field.kind === KIND_BYTES) {
      // Empty strings are left out unless the field keeps zero values; fillsResourceVersion adds its own.
      const omitEmpty = field.ptr || field.keep ? "" : `if (r.pos === p) { ${s} = -2; continue; } `;
      body = `${READ} ${omitEmpty}h.push(ctx, keys[${i}]); ${writeValue(field, `m${i}`, "")}`;
    } else if (field.kind === KIND_MESSAGE || field.kind === KIND_UNRESOLVED) {
      body = `h.push(ctx, keys[${i}]); ${writeValue(field, `m${i}`, READ)}`;
    } else {
      const omitZero = field.ptr || field.keep ? "" : `if (k === ${zeroLiteral(field)}) { ${s} = -2; continue; } `;
      body = `k = ${SCALAR_READERS[field.kind]}; ${omitZero}h.push(ctx, keys[${i}]); h.push(ctx, ${scalarText(field.kind, "k")});`;
    }
    // The API server fills the stored object's resourceVersion; only the top-level metadata gets it.
    if (isRootMetadata(field)) body = `if (depth === 0) { ctx.rootMetadata = true; ${body} ctx.rootMetadata = false; } else { ${body} }`;
    lines.push(`case ${tag}: { ${closeOther} ${start} ${body}${field.kind === KIND_MESSAGE ? " if (ctx.error !== undefined || ctx.fallback) return;" : ""} continue; }`);
  });
  // Fields printed even when absent from the wire: keep fields, and the resourceVersion the API server fills.
  const absentWhen = fields.map((field, i) => {
    if (fillsResourceVersion(field)) return `s${i} < 0 && ctx.rootMetadata && ctx.resourceVersion !== undefined`;
    return absent[i] ? `s${i} < 0` : undefined;
  });
  const inserts = fields.map((field, i) => {
    if (absentWhen[i] === undefined) return "undefined";
    return `${absentWhen[i]} ? ${fillsResourceVersion(field) ? "h.resourceVersionSegment(ctx)" : `absent[${i}]`} : undefined`;
  });
  const needsInsert = absentWhen.flatMap((when) => (when === undefined ? [] : [` || (${when})`])).join("");
  lines.push(
    "default: {",
    "if (open >= 0) { h.push(ctx, closer); open = -1; }",
    "const number = tag >>> 3;",
    'if (number === 0) r.fail("field number 0 is not valid", tagAt);',
    "const known = plan.byNumber[number];",
    "if (known !== undefined) h.wrongWireType(r, known, tag & 7, tagAt);",
    "r.skip(tag & 7, number);",
    "}",
    "}",
    "}",
    "} catch (error) { h.recordError(ctx, error, plan); return; }",
    "if (open >= 0) h.push(ctx, closer);",
    `if (!ordered${needsInsert}) h.reorder(ctx, base, [${fields.map((_, i) => `s${i}`).join(", ")}], [${inserts.join(", ")}]);`,
    "if (!inline) h.closeObject(ctx, base);",
  );
  const entryFunctions = fields.map((field, i) => (field.shape === SHAPE_MAP ? mapEntryFunction(field, i) : "")).join("\n");
  const nestedPlans = fields.map((field, i) => `m${i} = fields[${i}].message`).join(", ");
  const source = [
    '"use strict";',
    nestedPlans ? `const ${nestedPlans};` : "",
    entryFunctions,
    `return function text_${identifierOf(plan.fullName)}(r, buf, end, ctx, depth, inline) {\n${lines.join("\n")}\n};`,
  ].join("\n");
  const factory = new Function("h", "plan", "fields", "keys", "absent", source);
  return factory(helpers, plan, fields, keys, absent) as CompiledTextDecoder;
}

/**
 * Writes one map entry `"key":value` (with a comma unless first) and returns its key. The value is read
 * after the key has been written, wherever it sits in the entry.
 */
function mapEntryFunction(field: FieldPlan, i: number): string {
  const keyTag = 8 + wireTypeOfKind(field.mapKeyKind);
  const valueTag = 16 + field.wireType;
  const keyRead =
    field.mapKeyKind === KIND_STRING ? `(${READ_LENGTH}, h.readString(r, buf, p, r.pos))` : `String(${SCALAR_READERS[field.mapKeyKind]})`;
  let missing = `h.push(ctx, ${JSON.stringify(JSON.stringify(field.absentJson ?? ""))});`;
  if (field.kind === KIND_MESSAGE) {
    missing = `p = end; ${field.message!.special ? `${nested(objectCall(`m${i}`))} h.writeJson(ctx, v);` : nested(textCall(`m${i}`, false))}`;
  }
  return `function entry${i}(r, buf, ctx, depth, first) {
const start = r.lengthDelimited(), end = r.pos, outerEnd = r.end;
r.pos = start; r.end = end;
let p = 0, ln = 0, ve = 0, oe = 0, v = undefined, k = undefined, valueAt = -1;
while (r.pos < end) {
${READ_TAG}
if (tag === ${keyTag}) k = ${keyRead};
else if (tag === ${valueTag}) { valueAt = r.pos; r.skip(tag & 7, 2); }
else {
const number = tag >>> 3;
if (number === 1 || number === 2) h.wrongWireType(r, fields[${i}], tag & 7, tagAt);
if (number === 0) r.fail("field number 0 is not valid", tagAt);
r.skip(tag & 7, number);
}
}
if (k === undefined) k = "";
if (!first) h.push(ctx, ",");
h.writeJson(ctx, k);
h.push(ctx, ":");
if (valueAt < 0) { ${missing} }
else { r.pos = valueAt; ${writeValue(field, `m${i}`, READ)} }
r.end = outerEnd;
r.pos = end;
return k;
}`;
}
