// The runtime.Unknown envelope after the "k8s\0" magic: typeMeta (apiVersion, kind) and the raw object.
import { readUtf8 } from "./bytes";
import type { DecodeProblem } from "./types";
import { WIRE_LENGTH_DELIMITED, WireError, WireReader, WireWriter } from "./wire";

export const PROTOBUF_MAGIC: readonly number[] = [0x6b, 0x38, 0x73, 0x00];

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** The object's bytes are bytes[rawStart, rawEnd). */
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
}

/** Reads the envelope of a value that starts with the magic; what was read survives an error. */
export function readEnvelope(bytes: Uint8Array): { envelope: Envelope; error?: DecodeProblem } {
  const envelope: Envelope = { apiVersion: "", kind: "", rawStart: 0, rawEnd: 0, contentEncoding: "", contentType: "" };
  const reader = new WireReader(bytes, PROTOBUF_MAGIC.length, bytes.length);
  try {
    while (!reader.done) {
      const tagAt = reader.pos;
      const tag = reader.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) reader.fail("field number 0 is not valid in the envelope", tagAt);
      if (number >= 1 && number <= 4) {
        if (wireType !== WIRE_LENGTH_DELIMITED) reader.fail(`envelope field ${number} has wire type ${wireType}, expected 2`, tagAt);
        const start = reader.lengthDelimited();
        const end = reader.pos;
        if (number === 1) readTypeMeta(bytes, start, end, envelope);
        else if (number === 2) [envelope.rawStart, envelope.rawEnd] = [start, end];
        else if (number === 3) envelope.contentEncoding = readUtf8(bytes, start, end);
        else envelope.contentType = readUtf8(bytes, start, end);
      } else {
        reader.skip(wireType, number);
      }
    }
  } catch (error) {
    if (error instanceof WireError) return { envelope, error: { message: `envelope: ${error.message}`, offset: error.offset } };
    throw error;
  }
  if (envelope.contentEncoding !== "") {
    return { envelope, error: { message: `content encoding "${envelope.contentEncoding}" is not supported` } };
  }
  return { envelope };
}

function readTypeMeta(bytes: Uint8Array, start: number, end: number, envelope: Envelope): void {
  const reader = new WireReader(bytes, start, end);
  while (!reader.done) {
    const tagAt = reader.pos;
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) reader.fail("field number 0 is not valid in typeMeta", tagAt);
    if ((number === 1 || number === 2) && wireType === WIRE_LENGTH_DELIMITED) {
      const valueStart = reader.lengthDelimited();
      const text = readUtf8(bytes, valueStart, reader.pos);
      if (number === 1) envelope.apiVersion = text;
      else envelope.kind = text;
    } else {
      reader.skip(wireType, number);
    }
  }
}

/** "k8s\0" + envelope, with every field written as the API server writes them. */
export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const typeMeta = new WireWriter();
  typeMeta.tag(1, WIRE_LENGTH_DELIMITED);
  typeMeta.string(apiVersion);
  typeMeta.tag(2, WIRE_LENGTH_DELIMITED);
  typeMeta.string(kind);
  const unknown = new WireWriter();
  unknown.message(1, typeMeta.finish());
  unknown.message(2, raw);
  unknown.message(3, new Uint8Array(0));
  unknown.message(4, new Uint8Array(0));
  const body = unknown.finish();
  const out = new Uint8Array(PROTOBUF_MAGIC.length + body.length);
  out.set(PROTOBUF_MAGIC);
  out.set(body, PROTOBUF_MAGIC.length);
  return out;
}
