import "server-only";
import { KEYSPACE_END, positionOf, rangeEndAfter, unitAtByte } from "../key-positions";

// Chooses the ranges of one keys-only pass over the whole keyspace, a few of them read at once.
// etcd up to 3.6 walks every key between a range's start and its end on each request, whatever the
// limit, so paging with an open end costs a walk of the rest of the keyspace per page (a second
// full pass, and more, on a million keys). Instead each range ends where about one page of keys is
// expected to end.
//
// Keys are placed on a number line (key-positions.ts). The keyspace is a row of pieces, in key
// order: gaps not read yet, ranges being read, and ranges read whose keys wait for every earlier
// piece. A new range is cut from the front of the first gap, as long as the distance the last
// page's keys spanned; etcd answers each range with the count of keys in it, which corrects the
// distance for the next ones. A range that held more than a page is kept up to its last key
// returned; the rest is read to its end when about one page is left, or else becomes a gap again,
// to be cut in narrower ranges. The pieces always cover the keyspace without overlap, so every key
// is read exactly once whatever the estimates, and keys are handed out in key order. Measured on
// 1,000,000 Kubernetes-shaped keys, one range at a time: etcd walks about 4 keys per key read,
// against about 12 with open-ended pages.

// Before anything is known: a distance of one unit in the 20th byte.
const FIRST_STEP = unitAtByte(19);
// An empty range says nothing of where keys are: grow fast, at the price of overshooting once.
const EMPTY_GROWTH = 16n;
// A range with some keys grows the next at most this much, so one sparse stretch does not throw
// the next range across a dense one.
const MAX_GROWTH = 4n;
// Read pages held for an earlier piece still being read; past this, no new range is started except
// the first piece's own, so memory stays bounded.
const DEFAULT_MAX_HELD_KEYS = 250_000;
// The smallest key there can be, and what follows a key to make the next smallest.
const NUL = Buffer.from([0]);

export type KeyRange = { start: Buffer; end: Buffer };

export type RangeOutcome = {
  /** Keys in the whole range, as etcd counted them. */
  count: number;
  /** The keys returned (latin1), in order: all of the range's unless `more`. */
  keys: string[];
  more: boolean;
};

type Piece =
  /** `whole`: the rest of a range known to hold about one page, read to its end in one request. */
  | { state: "gap"; start: Buffer; end: Buffer; whole?: boolean }
  /** `step`: the distance the range was cut with, which its count corrects (none for `whole`). */
  | { state: "reading"; start: Buffer; end: Buffer; step?: bigint }
  | { state: "read"; start: Buffer; end: Buffer; keys: string[] };

export class RangePlanner {
  private pieces: Piece[] = [{ state: "gap", start: NUL, end: KEYSPACE_END }];
  private step = FIRST_STEP;
  private heldKeys = 0;
  private readonly maxHeldKeys: number;
  /** Keys etcd walked to answer the ranges so far: the cost this design keeps low. */
  keysWalked = 0;

  constructor(options: { maxHeldKeys?: number } = {}) {
    this.maxHeldKeys = options.maxHeldKeys ?? DEFAULT_MAX_HELD_KEYS;
  }

  /** Keys read but not handed out yet, waiting for an earlier range. */
  get keysHeld(): number {
    return this.heldKeys;
  }

  /** True once every key has been read and handed out. */
  get finished(): boolean {
    return this.pieces.length === 0;
  }

  /** A range to read now, or null while the ranges being read must answer first. */
  nextRange(): KeyRange | null {
    const at = this.pieces.findIndex((piece) => piece.state === "gap");
    if (at < 0) return null;
    const firstUnread = this.pieces.findIndex((piece) => piece.state !== "read");
    if (at > firstUnread && this.heldKeys > this.maxHeldKeys) return null;
    const gap = this.pieces[at] as Extract<Piece, { state: "gap" }>;
    if (gap.whole) {
      this.pieces[at] = { state: "reading", start: gap.start, end: gap.end };
      return { start: gap.start, end: gap.end };
    }
    const end = Buffer.from(rangeEndAfter(gap.start, this.step, gap.end));
    const reading: Piece = { state: "reading", start: gap.start, end, step: this.step };
    const rest: Piece[] = end.equals(gap.end) ? [] : [{ state: "gap", start: end, end: gap.end }];
    this.pieces.splice(at, 1, reading, ...rest);
    return { start: reading.start, end: reading.end };
  }

  /** What etcd answered for `range` (one `nextRange` returned), read with `limit`. */
  record(range: KeyRange, outcome: RangeOutcome, limit: number): void {
    const at = this.pieces.findIndex((piece) => piece.state === "reading" && piece.start.equals(range.start));
    if (at < 0) throw new Error("an answer for a range that is not being read");
    const piece = this.pieces[at] as Extract<Piece, { state: "reading" }>;
    this.keysWalked += outcome.count;
    if (outcome.more && outcome.keys.length === 0) throw new Error("etcd reported more keys in a range but returned none");
    this.heldKeys += outcome.keys.length;
    if (!outcome.more) {
      this.pieces[at] = { state: "read", start: piece.start, end: piece.end, keys: outcome.keys };
      if (piece.step !== undefined) this.step = this.stepAfter(piece.step, outcome.count, limit);
      return;
    }
    const last = Buffer.from(outcome.keys[outcome.keys.length - 1], "latin1");
    const after = Buffer.concat([last, NUL]);
    const remaining = outcome.count - outcome.keys.length;
    const whole = remaining <= limit * 1.5;
    if (!whole) {
      const span = positionOf(last) - positionOf(Buffer.from(outcome.keys[0], "latin1"));
      this.step = span > 0n ? span : 1n;
    }
    this.pieces.splice(
      at,
      1,
      { state: "read", start: piece.start, end: after, keys: outcome.keys },
      { state: "gap", start: after, end: piece.end, whole },
    );
  }

  /** The keys read so far that follow every key handed out before, in key order. */
  takeKeysInOrder(): string[][] {
    const pages: string[][] = [];
    while (this.pieces.length > 0 && this.pieces[0].state === "read") {
      const piece = this.pieces.shift() as Extract<Piece, { state: "read" }>;
      pages.push(piece.keys);
      this.heldKeys -= piece.keys.length;
    }
    return pages;
  }

  private stepAfter(used: bigint, count: number, limit: number): bigint {
    if (count === 0) return used * EMPTY_GROWTH;
    const scaled = (used * BigInt(Math.max(1, Math.floor(limit * 0.8)))) / BigInt(count);
    if (scaled < 1n) return 1n;
    return scaled > used * MAX_GROWTH ? used * MAX_GROWTH : scaled;
  }
}
