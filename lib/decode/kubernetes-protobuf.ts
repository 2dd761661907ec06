// "k8s\0" values: envelope, type lookup, then a schema decode (or a schema-less one for unknown types).
import protobuf from "protobufjs";
import { startsWith } from "./bytes";
import { getEngine } from "./engine";
import { PROTOBUF_MAGIC, readEnvelope } from "./envelope";
import { finishObject } from "./finish-object";
import { META_PACKAGE } from "./registry";
import { createDecodeContext, decodeMessage, levelsBound, type DecodeContext } from "./protobuf-decoder";
import { decodeSchemaless } from "./schemaless";
import type { DecodeOptions, DecodeProblem, JsonObject, JsonValue, KubernetesValue } from "./types";
import { WireError } from "./wire";

export function isKubernetesProtobuf(bytes: Uint8Array): boolean {
  return startsWith(bytes, PROTOBUF_MAGIC);
}

/** Filled in by the decoder: at most how many levels of arrays and objects the object has (see limitNesting). */
export interface NestingBound {
  levels: number;
}

export function decodeKubernetesProtobuf(
  bytes: Uint8Array,
  options: DecodeOptions,
  decodeEmbedded: (bytes: Uint8Array) => JsonValue,
  nesting?: NestingBound,
): KubernetesValue {
  const { envelope, error: envelopeError } = readEnvelope(bytes);
  const named = envelope.apiVersion !== "" || envelope.kind !== "";
  const apiVersion = named ? envelope.apiVersion : (options.typeHint?.apiVersion ?? "");
  const kind = named ? envelope.kind : (options.typeHint?.kind ?? "");
  // The object names its type only as the envelope does; a hint finds the schema but is not printed.
  const object: JsonObject = {};
  if (envelope.kind) object.kind = envelope.kind;
  if (envelope.apiVersion) object.apiVersion = envelope.apiVersion;
  const result: KubernetesValue = { format: "kubernetes", encoding: "protobuf", apiVersion, kind, known: false, object, masked: [] };
  if (envelopeError) return { ...result, error: envelopeError };

  const engine = getEngine();
  const type = engine.registry.lookup(apiVersion, kind);
  const ctx = createDecodeContext(decodeEmbedded);
  if (type) {
    decodeMessage(engine.plans.planOf(type), bytes, envelope.rawStart, envelope.rawEnd, ctx, 0, object);
    result.known = true;
    // Masking and resourceVersion below only replace values with strings: the bound still holds.
    if (nesting) nesting.levels = levelsBound(ctx);
  } else {
    decodeUnknownType(bytes, envelope.rawStart, envelope.rawEnd, ctx, object);
  }
  result.masked = finishObject(object, apiVersion, kind, options);
  if (ctx.error) result.error = describeError(ctx);
  return result;
}

/** Every object keeps its ObjectMeta in field 1; the rest is shown by field number. */
function decodeUnknownType(bytes: Uint8Array, start: number, end: number, ctx: DecodeContext, object: JsonObject): void {
  const engine = getEngine();
  const objectMeta = engine.schema.root.lookup(`${META_PACKAGE}.ObjectMeta`, protobuf.Type);
  try {
    const rest = decodeSchemaless(bytes, start, end, 1);
    const metaBytes = firstField1(bytes, start, end);
    if (metaBytes && objectMeta instanceof protobuf.Type) {
      const metaCtx = createDecodeContext(ctx.decodeEmbedded);
      const metadata = decodeMessage(engine.plans.planOf(objectMeta), bytes, metaBytes[0], metaBytes[1], metaCtx, 1);
      if (!metaCtx.error) {
        object.metadata = metadata;
        delete rest["1"];
      }
    }
    Object.assign(object, rest);
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    ctx.error = { message: `not a protobuf message: ${error.message}`, offset: error.offset };
  }
}

/** The payload range of the first occurrence of field 1 when it is length-delimited. */
function firstField1(bytes: Uint8Array, start: number, end: number): [number, number] | undefined {
  if (start >= end || bytes[start] !== 0x0a) return undefined;
  let pos = start + 1;
  let length = 0;
  for (let shift = 0; shift < 35 && pos < end; shift += 7) {
    const byte = bytes[pos++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return pos + length <= end ? [pos, pos + length] : undefined;
  }
  return undefined;
}

function describeError(ctx: DecodeContext): DecodeProblem {
  const error = ctx.error!;
  const path = ctx.errorPath.length > 0 ? ` at ${ctx.errorPath.join(".")}` : "";
  return error.offset === undefined ? { message: `${error.message}${path}` } : { message: `${error.message}${path}`, offset: error.offset };
}
