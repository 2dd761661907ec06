// Totals that never go down, made from counts each source reports since it began and that vanish
// when the source ends (a watch's reconnects): each scrape adds what every source gained since the
// last one. Pure, so it is tested alone.

export class RunningTotals<K> {
  private readonly seen = new WeakMap<object, number>();
  private readonly totals = new Map<K, number>();

  /** Starts `key` at 0, so that a total is exported before anything is counted. */
  include(key: K): void {
    if (!this.totals.has(key)) this.totals.set(key, 0);
  }

  /** `source` has counted `count` so far (for `key`). */
  record(key: K, source: object, count: number): void {
    const gained = Math.max(0, count - (this.seen.get(source) ?? 0));
    this.seen.set(source, count);
    this.totals.set(key, (this.totals.get(key) ?? 0) + gained);
  }

  entries(): [K, number][] {
    return [...this.totals];
  }
}
