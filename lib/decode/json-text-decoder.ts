// Runs the generated JSON-text decoders (compile-json-text.ts) and provides what they call: the output
// as a list of parts joined once (V8 copies them natively), string quoting without an escaping pass for
// plain strings, and segment reordering by moving parts, not bytes.
import { asSliceable, type SliceableBuffer } from "./bytes";
import { compileTextDecoder, type TextDecoderHelpers } from "./compile-json-text";
import type { CompiledTextDecoder, MessagePlan } from "./plan";
import * as objectDecoder from "./protobuf-decoder";
import type { DecodeContext } from "./protobuf-decoder";
import type { WireReader } from "./wire";
import { WireReader as Reader } from "./wire";

// Local copies: imported bindings are getters under some loaders (tsx, vitest), too slow for the hot loop.
const { objectDecoderHelpers } = objectDecoder;
const { readString } = objectDecoderHelpers;

export interface TextDecodeContext extends DecodeContext {
  /** Set when the output depends on something the text path does not repeat: redo on the object path. */
  fallback: boolean;
  /** True while the top-level metadata is being read: only it gets the resourceVersion fill. */
  rootMetadata: boolean;
  /** `,"resourceVersion":"<mod revision>"`, added where etcd left it empty. */
  resourceVersion: string | undefined;
  parts: string[];
  /** How many parts are in use; parts past it are stale. */
  len: number;
}

export function createTextContext(decodeEmbedded: DecodeContext["decodeEmbedded"], resourceVersion: string | undefined): TextDecodeContext {
  return { error: undefined, errorPath: [], decodeEmbedded, fallback: false, rootMetadata: false, resourceVersion, parts: [], len: 0 };
}

/** The object written so far (its fields as segments) as JSON text, braces added. */
export function objectTextOf(ctx: TextDecodeContext): string {
  closeObject(ctx, 0);
  const parts = ctx.parts;
  // Reordering leaves stale parts past len.
  if (parts.length > ctx.len) parts.length = ctx.len;
  return parts.join("");
}

export function push(ctx: TextDecodeContext, text: string): void {
  ctx.parts[ctx.len++] = text;
}

/**
 * Writes the fields of the message in buf[start, end) as `,"key":value` segments (the top level, after
 * kind and apiVersion); ctx.error or ctx.fallback is set when that could not be done exactly.
 */
export function writeMessageFields(plan: MessagePlan, buf: Uint8Array, start: number, end: number, ctx: TextDecodeContext): void {
  const bytes = asSliceable(buf);
  const reader = new Reader(bytes, start, end);
  // Large values are mostly long strings, decoded one by one instead (as the object path does).
  if (bytes.length <= MAX_TEXT_BYTES) reader.text = bytes.latin1Slice(0, bytes.length);
  textDecoderOf(plan)(reader, bytes, end, ctx, 0, true);
}

function textDecoderOf(plan: MessagePlan): CompiledTextDecoder {
  return plan.textDecoder ?? (plan.textDecoder = compileTextDecoder(plan, helpers));
}

/** Printable ASCII other than `"` and `\` stands in a JSON string as is. */
function isPlain(code: number): boolean {
  return code >= 0x20 && code < 0x80 && code !== 0x22 && code !== 0x5c;
}

const MAX_CHECKED_STRING = 256;
/** As in protobuf-decoder.ts: above this, the whole value is not turned into one Latin-1 string. */
const MAX_TEXT_BYTES = 1 << 16;

/** Nearly every string is printable ASCII: then it is a slice of the input's Latin-1 text, between quotes. */
function writeString(ctx: TextDecodeContext, reader: WireReader, buf: SliceableBuffer, start: number, end: number): void {
  // Long strings (large ConfigMaps) are checked and escaped faster natively than by a loop here.
  if (end - start > MAX_CHECKED_STRING || reader.text === "") {
    ctx.parts[ctx.len++] = JSON.stringify(readString(reader, buf, start, end));
    return;
  }
  let i = start;
  while (i < end) {
    const byte = buf[i];
    if (byte < 0x20 || byte >= 0x80 || byte === 0x22 || byte === 0x5c) break;
    i++;
  }
  const parts = ctx.parts;
  if (i === end) {
    parts[ctx.len] = '"';
    parts[ctx.len + 1] = reader.text.substring(start, end);
    parts[ctx.len + 2] = '"';
    ctx.len += 3;
  } else {
    parts[ctx.len++] = JSON.stringify(readString(reader, buf, start, end));
  }
}

function writeJson(ctx: TextDecodeContext, value: unknown): void {
  if (typeof value === "string") {
    let plain = true;
    for (let i = 0; i < value.length && plain; i++) plain = isPlain(value.charCodeAt(i));
    if (plain) {
      const parts = ctx.parts;
      parts[ctx.len] = '"';
      parts[ctx.len + 1] = value;
      parts[ctx.len + 2] = '"';
      ctx.len += 3;
      return;
    }
  }
  ctx.parts[ctx.len++] = JSON.stringify(value);
}

/** JS objects list integer-like keys first, in numeric order: JSON.stringify prints them that way. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return false;
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/** Scratch for reorder: field indices by segment start, and each segment's end. */
let byStart = new Int32Array(64);
let ends = new Int32Array(64);

/**
 * Segments are contiguous and written in wire order, so each one ends where the next one starts. The
 * starts are nearly sorted already (wire order is mostly declaration order): an insertion sort, no callback.
 */
function reorder(ctx: TextDecodeContext, base: number, starts: number[], inserts: (string | undefined)[]): void {
  const count = starts.length;
  if (byStart.length < count) {
    byStart = new Int32Array(count * 2);
    ends = new Int32Array(count * 2);
  }
  let present = 0;
  for (let i = 0; i < count; i++) {
    const start = starts[i];
    if (start < 0) continue;
    let j = present++;
    while (j > 0 && starts[byStart[j - 1]] > start) {
      byStart[j] = byStart[j - 1];
      j--;
    }
    byStart[j] = i;
  }
  const limit = ctx.len;
  for (let j = 0; j < present; j++) ends[byStart[j]] = j + 1 < present ? starts[byStart[j + 1]] : limit;
  const parts = ctx.parts;
  const written = parts.slice(base, limit);
  let at = base;
  for (let i = 0; i < count; i++) {
    const start = starts[i];
    if (start >= 0) {
      for (let from = start; from < ends[i]; from++) parts[at++] = written[from - base];
    } else {
      const insert = inserts[i];
      if (insert !== undefined) parts[at++] = insert;
    }
  }
  ctx.len = at;
}

function resourceVersionSegment(ctx: TextDecodeContext): string | undefined {
  return ctx.rootMetadata ? ctx.resourceVersion : undefined;
}

/** Every segment starts with a comma: the first one's becomes the opening brace. */
function closeObject(ctx: TextDecodeContext, base: number): void {
  const parts = ctx.parts;
  if (ctx.len === base) {
    parts[ctx.len++] = "{}";
  } else {
    parts[base] = "{" + parts[base].substring(1);
    parts[ctx.len++] = "}";
  }
}

const helpers: TextDecoderHelpers = {
  decoderOf: objectDecoderHelpers.decoderOf,
  textDecoderOf,
  decodeSchemaless: objectDecoderHelpers.decodeSchemaless,
  readString,
  wrongWireType: objectDecoderHelpers.wrongWireType,
  recordError: objectDecoderHelpers.recordError,
  tooDeep: objectDecoderHelpers.tooDeep,
  push: push as TextDecoderHelpers["push"],
  writeString: writeString as TextDecoderHelpers["writeString"],
  writeJson: writeJson as TextDecoderHelpers["writeJson"],
  isArrayIndex,
  reorder: reorder as TextDecoderHelpers["reorder"],
  resourceVersionSegment: resourceVersionSegment as TextDecoderHelpers["resourceVersionSegment"],
  closeObject: closeObject as TextDecoderHelpers["closeObject"],
  maxDepth: objectDecoderHelpers.maxDepth,
};
