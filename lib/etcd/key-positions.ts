import "server-only";

// Keys placed on a number line: the first POSITION_BYTES bytes of a key read as one big-endian
// number, so that "a range about this wide" can be asked of etcd. etcd walks every key between a
// range's start and its end on each request whatever the limit (up to 3.6), so reads that only
// need the next few keys ask for ranges ending where those keys are expected, not at the end.

const POSITION_BYTES = 256;
const POSITION_LIMIT = 1n << BigInt(8 * POSITION_BYTES);
/** "\0" as a range end means "to the end of the keyspace". */
export const KEYSPACE_END = Buffer.from([0]);

/** One unit in the given byte of a position (0: the first byte). */
export function unitAtByte(byte: number): bigint {
  return 1n << BigInt(8 * (POSITION_BYTES - 1 - Math.min(byte, POSITION_BYTES - 1)));
}

export function positionOf(key: Uint8Array): bigint {
  const padded = Buffer.alloc(POSITION_BYTES);
  Buffer.from(key.buffer, key.byteOffset, key.byteLength).copy(padded, 0, 0, POSITION_BYTES);
  return BigInt(`0x${padded.toString("hex")}`);
}

/** The shortest key at `position`; every key that sorts below it has a smaller position. */
function keyAt(position: bigint): Buffer {
  const bytes = Buffer.from(position.toString(16).padStart(POSITION_BYTES * 2, "0"), "hex");
  let length = bytes.length;
  while (length > 1 && bytes[length - 1] === 0) length -= 1;
  return bytes.subarray(0, length);
}

/** Whether range end `a` comes before range end `b`, KEYSPACE_END standing for the end. */
function endsBefore(a: Uint8Array, b: Uint8Array): boolean {
  if (Buffer.from(a).equals(KEYSPACE_END)) return false;
  return Buffer.from(b).equals(KEYSPACE_END) || Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}

/** The end of a range from `start` about `step` wide, but never past `limit`. */
export function rangeEndAfter(start: Uint8Array, step: bigint, limit: Uint8Array): Uint8Array {
  const position = positionOf(start) + step;
  const end = position >= POSITION_LIMIT ? KEYSPACE_END : keyAt(position);
  return endsBefore(end, limit) ? end : limit;
}
