import "server-only";

// The current value size of every key, without the keys: an open-addressing table keyed by a
// 64-bit hash of the key (two 32-bit halves), so that a million keys cost about 24 MB of typed
// arrays instead of a Map's strings and entries (several times that). The feed delivers a write's
// new value, never its old one; this table is where the old size comes from. Two keys share a
// 64-bit hash with a chance of about n²/2⁶⁵ (3·10⁻⁸ for a million keys); such keys would share one
// size. Linear probing; deletion shifts the following entries back, so there are no tombstones.
//
// While the sizing pass runs, an entry can be marked "from the feed": written (or deleted) after
// the pass's revision, so the pass's older size must not overwrite it. A deletion during the pass
// is kept as a marked entry with no size until the pass ends (clearMarks).

const EMPTY = 0;
/** Stored sizes are size + 1 (0 is an empty slot); a deleted key seen by the feed during the pass. */
const DELETED = 0xffffffff;
const MAX_LOAD = 0.5;

export type SizeLookup = { size: number; fromFeed: boolean } | undefined;

/** The two 32-bit halves of a 64-bit hash of a latin1 key (FNV-1a and a multiply-xorshift mix). */
export function hashKey(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

export class SizeTable {
  private hashA: Uint32Array;
  private hashB: Uint32Array;
  private sizes: Uint32Array;
  private marks: Uint8Array;
  private used = 0;

  constructor(expectedKeys = 1024) {
    let capacity = 1024;
    while (capacity * MAX_LOAD < expectedKeys) capacity *= 2;
    this.hashA = new Uint32Array(capacity);
    this.hashB = new Uint32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.marks = new Uint8Array(capacity);
  }

  /** Entries held (deleted keys marked during a pass included). */
  get count(): number {
    return this.used;
  }

  /** Bytes of the typed arrays. */
  get memoryBytes(): number {
    return this.hashA.byteLength + this.hashB.byteLength + this.sizes.byteLength + this.marks.byteLength;
  }

  private slotOf(a: number, b: number): number {
    const mask = this.sizes.length - 1;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.sizes[slot] !== EMPTY && (this.hashA[slot] !== a || this.hashB[slot] !== b)) slot = (slot + 1) & mask;
    return slot;
  }

  /** The key's size (undefined when unknown or deleted), and whether the feed wrote it during a pass. */
  get(key: string): SizeLookup {
    const [a, b] = hashKey(key);
    const slot = this.slotOf(a, b);
    const stored = this.sizes[slot];
    if (stored === EMPTY) return undefined;
    if (stored === DELETED) return { size: 0, fromFeed: true };
    return { size: stored - 1, fromFeed: this.marks[slot] === 1 };
  }

  /** The key's current size, or 0 when the table does not hold it. */
  sizeOf(key: string): number {
    return this.get(key)?.size ?? 0;
  }

  /** Sets a key's size; returns the size it replaces (0 when none). `fromFeed` marks it for the pass to leave alone. */
  set(key: string, size: number, fromFeed = false): number {
    const [a, b] = hashKey(key);
    let slot = this.slotOf(a, b);
    const stored = this.sizes[slot];
    if (stored === EMPTY) {
      if ((this.used + 1) / this.sizes.length > MAX_LOAD) {
        this.grow();
        slot = this.slotOf(a, b);
      }
      this.used += 1;
      this.hashA[slot] = a;
      this.hashB[slot] = b;
    }
    this.sizes[slot] = Math.min(size, DELETED - 2) + 1;
    if (fromFeed) this.marks[slot] = 1;
    return stored === EMPTY || stored === DELETED ? 0 : stored - 1;
  }

  /**
   * Forgets a key; returns the size it had (0 when none). With `keepMark` (a deletion during a
   * pass) the key stays as a marked deleted entry, so that the pass does not size it again.
   */
  delete(key: string, keepMark = false): number {
    const [a, b] = hashKey(key);
    const slot = this.slotOf(a, b);
    const stored = this.sizes[slot];
    const size = stored === EMPTY || stored === DELETED ? 0 : stored - 1;
    if (keepMark) {
      if (stored === EMPTY) {
        this.set(key, 0, true);
        this.sizes[this.slotOf(a, b)] = DELETED;
      } else {
        this.sizes[slot] = DELETED;
        this.marks[slot] = 1;
      }
      return size;
    }
    if (stored !== EMPTY) this.removeSlot(slot);
    return size;
  }

  /** Ends a pass: deleted entries go, marks are cleared. */
  clearMarks(): void {
    for (let slot = 0; slot < this.sizes.length; slot++) {
      if (this.sizes[slot] === DELETED) {
        this.removeSlot(slot);
        // The entry shifted into this slot has not been looked at yet.
        slot -= 1;
      }
    }
    this.marks.fill(0);
  }

  private removeSlot(slot: number): void {
    const mask = this.sizes.length - 1;
    this.used -= 1;
    let hole = slot;
    let next = (hole + 1) & mask;
    while (this.sizes[next] !== EMPTY) {
      const home = (this.hashA[next] ^ Math.imul(this.hashB[next], 0x9e3779b1)) & mask;
      // The entry at `next` may move into the hole when its home is not between the hole and it (cyclically).
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        this.hashA[hole] = this.hashA[next];
        this.hashB[hole] = this.hashB[next];
        this.sizes[hole] = this.sizes[next];
        this.marks[hole] = this.marks[next];
        hole = next;
      }
      next = (next + 1) & mask;
    }
    this.sizes[hole] = EMPTY;
    this.marks[hole] = 0;
    this.hashA[hole] = 0;
    this.hashB[hole] = 0;
  }

  private grow(): void {
    const { hashA, hashB, sizes, marks } = this;
    const capacity = sizes.length * 2;
    this.hashA = new Uint32Array(capacity);
    this.hashB = new Uint32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.marks = new Uint8Array(capacity);
    for (let slot = 0; slot < sizes.length; slot++) {
      if (sizes[slot] === EMPTY) continue;
      const to = this.slotOf(hashA[slot], hashB[slot]);
      this.hashA[to] = hashA[slot];
      this.hashB[to] = hashB[slot];
      this.sizes[to] = sizes[slot];
      this.marks[to] = marks[slot];
    }
  }
}
