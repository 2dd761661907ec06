// Writes per minute of one folder over the last 1, 10 and 60 minutes, from counts in time
// buckets: twelve of 5 s for the last minute and sixty of one minute for the hour (about 300 bytes,
// allocated only for folders that are written). A window is its buckets up to now, the bucket in
// progress included, so "the last minute" spans 55 to 60 s.

const SHORT_MS = 5_000;
const SHORT_BUCKETS = 12;
const LONG_MS = 60_000;
const LONG_BUCKETS = 60;

export type WriteRates = {
  /** Writes in the last minute. */
  perMinute: number;
  /** Writes per minute over the last 10 minutes. */
  perMinute10: number;
  /** Writes per minute over the last 60 minutes. */
  perMinute60: number;
  /** Writes counted in the last 60 minutes. */
  writes60: number;
};

export const NO_WRITES: WriteRates = { perMinute: 0, perMinute10: 0, perMinute60: 0, writes60: 0 };

export class WriteRate {
  private readonly short = new Uint32Array(SHORT_BUCKETS);
  private readonly long = new Uint32Array(LONG_BUCKETS);
  /** The bucket numbers (time / bucket width) last written. */
  private shortAt = 0;
  private longAt = 0;

  record(now: number, writes = 1): void {
    this.advance(now);
    this.short[this.shortAt % SHORT_BUCKETS] += writes;
    this.long[this.longAt % LONG_BUCKETS] += writes;
  }

  rates(now: number): WriteRates {
    this.advance(now);
    let minute = 0;
    for (const count of this.short) minute += count;
    let ten = 0;
    let hour = 0;
    for (let back = 0; back < LONG_BUCKETS; back++) {
      const count = this.long[(this.longAt - back + LONG_BUCKETS * 2) % LONG_BUCKETS];
      if (back < 10) ten += count;
      hour += count;
    }
    return { perMinute: minute, perMinute10: ten / 10, perMinute60: hour / 60, writes60: hour };
  }

  /** Clears the buckets that passed since the last write. */
  private advance(now: number): void {
    const shortAt = Math.floor(now / SHORT_MS);
    const longAt = Math.floor(now / LONG_MS);
    if (shortAt > this.shortAt) {
      const passed = Math.min(SHORT_BUCKETS, shortAt - this.shortAt);
      for (let i = 1; i <= passed; i++) this.short[(this.shortAt + i) % SHORT_BUCKETS] = 0;
      this.shortAt = shortAt;
    }
    if (longAt > this.longAt) {
      const passed = Math.min(LONG_BUCKETS, longAt - this.longAt);
      for (let i = 1; i <= passed; i++) this.long[(this.longAt + i) % LONG_BUCKETS] = 0;
      this.longAt = longAt;
    }
  }
}
