import { deflateRawSync, inflateRawSync } from "node:zlib";

// How the archive stores a value: Kubernetes objects change a little at a time (a status field,
// a renewTime, a resourceVersion in managedFields), so most of a new version is in the version
// before it. Deflate with the previous value as preset dictionary turns those repeats into
// back-references, which plain deflate of one object alone cannot do. Deflate only looks 32 KiB
// back, so for larger values only the previous value's last 32 KiB helps.
//
// A value compressed against another can only be read back through it, so each stored value
// says how deep its chain of bases is, and a chain is cut (the value stored on its own) every
// MAX_CHAIN_DEPTH versions: reading any version inflates at most that many values. Pure: used by
// every engine alike.

/** Stored with each value, so the numbers never change meaning. */
export const ValueEncoding = {
  /** The value as it is (empty values, and values deflate does not shrink). */
  Raw: 0,
  /** Raw deflate of the value alone. */
  Deflate: 1,
  /** Raw deflate with the base version's value as preset dictionary. */
  DeflateWithBase: 2,
} as const;
export type ValueEncoding = (typeof ValueEncoding)[keyof typeof ValueEncoding];

/** Versions a chain of bases may reach before a value is stored on its own again. */
export const MAX_CHAIN_DEPTH = 16;

/** The version a value may be compressed against: the key's previous stored value. */
export type CodecBase = { value: Buffer; depth: number };

export type EncodedValue = {
  encoding: ValueEncoding;
  bytes: Buffer;
  /** 0 on its own; base depth + 1 when compressed against a base. */
  depth: number;
};

// Level 3: against the previous version most of a value is one long back-reference, which the
// fast levels find as well as the slow ones. On 4 KB Pod status churn level 3 deflated a value in
// 33-44 µs against 54-76 µs at level 6 (zlib's default), for 2.44% of the raw bytes instead of
// 2.16%; deflate was the largest part of the recorder's CPU. Inflate reads any level, so archives
// written at level 6 read unchanged.
const LEVEL = 3;
// Deflate's largest window (2^15 bytes): the dictionary's last 32 KiB is what it can refer to.
const WINDOW_BITS = 15;
const DICTIONARY_BYTES = 1 << WINDOW_BITS;

function dictionaryOf(base: Buffer): Buffer {
  return base.length > DICTIONARY_BYTES ? base.subarray(base.length - DICTIONARY_BYTES) : base;
}

/** The smallest of: against the base (when one is given and its chain may grow), deflate alone, the value itself. */
export function encodeValue(value: Buffer, base?: CodecBase): EncodedValue {
  if (value.length === 0) return { encoding: ValueEncoding.Raw, bytes: value, depth: 0 };
  if (base && base.value.length > 0 && base.depth + 1 <= MAX_CHAIN_DEPTH) {
    const against = deflateRawSync(value, { level: LEVEL, windowBits: WINDOW_BITS, dictionary: dictionaryOf(base.value) });
    // A base that shares nothing with the value does not help; the value is better off alone,
    // where it shortens later chains.
    if (against.length < value.length / 2) return { encoding: ValueEncoding.DeflateWithBase, bytes: against, depth: base.depth + 1 };
  }
  const alone = deflateRawSync(value, { level: LEVEL, windowBits: WINDOW_BITS });
  if (alone.length < value.length) return { encoding: ValueEncoding.Deflate, bytes: alone, depth: 0 };
  return { encoding: ValueEncoding.Raw, bytes: value, depth: 0 };
}

/** The value back; a value stored against a base needs that base's (decoded) value. */
export function decodeValue(encoding: ValueEncoding, bytes: Buffer, base?: Buffer): Buffer {
  switch (encoding) {
    case ValueEncoding.Raw:
      return bytes;
    case ValueEncoding.Deflate:
      return inflateRawSync(bytes, { windowBits: WINDOW_BITS });
    case ValueEncoding.DeflateWithBase:
      if (!base) throw new Error("this archived value was stored against its previous version, which is needed to read it");
      return inflateRawSync(bytes, { windowBits: WINDOW_BITS, dictionary: dictionaryOf(base) });
    default:
      throw new Error(`unknown archived value encoding ${String(encoding)}`);
  }
}
