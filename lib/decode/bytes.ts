// Byte helpers shared by the decoders: UTF-8 and base64 without copying where possible.

const utf8Decoder = new TextDecoder("utf-8");
const strictUtf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 the way Go's JSON encoder prints it: invalid sequences become U+FFFD. */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  return utf8Decoder.decode(buf.subarray(start, end));
}

/**
 * Node's Buffer slices: the decoders' hot path. Measured on the fixture Pod's ~800 short strings,
 * utf8Slice beats both a char-by-char loop and TextDecoder (no subarray to allocate), at every length.
 * Like TextDecoder, it replaces invalid sequences with U+FFFD.
 */
export interface SliceableBuffer extends Uint8Array {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** The same bytes as a Buffer (no copy), so generated decoders can slice strings out of it. */
export function asSliceable(bytes: Uint8Array): SliceableBuffer {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer as unknown as SliceableBuffer;
}

/** The text when the bytes are valid UTF-8, otherwise undefined. */
export function readStrictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True for text a person would read: no control characters besides tab, newline and carriage return. */
export function isPrintableText(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

export function toBase64(buf: Uint8Array, start = 0, end = buf.length): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

export function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

export function asciiBytes(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}
