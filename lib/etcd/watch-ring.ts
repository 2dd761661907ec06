import "server-only";
import type { WatchChange } from "./watch";

// The recent changes a watch hub keeps, bounded by count and key bytes. It always holds every
// change after `floor`: eviction removes whole revisions (a transaction's changes share one) and
// raises the floor past them, so "is this revision still covered" is one comparison.

export class ChangeRing {
  private changes: WatchChange[] = [];
  private head = 0;
  private keyBytes = 0;
  /** Every change with a revision above this one is held. */
  floor = 0;

  constructor(
    private readonly maxChanges: number,
    private readonly maxKeyBytes: number,
  ) {}

  get size(): number {
    return this.changes.length - this.head;
  }

  /** Forgets everything; the ring covers revisions after `revision` from now on. */
  reset(revision: number): void {
    this.changes = [];
    this.head = 0;
    this.keyBytes = 0;
    this.floor = revision;
  }

  /** Nothing changed up to `revision`: an empty ring may cover from there. */
  advanceTo(revision: number): void {
    if (this.size === 0 && revision > this.floor) this.floor = revision;
  }

  push(changes: readonly WatchChange[]): void {
    for (const change of changes) {
      this.changes.push(change);
      this.keyBytes += change.key.length;
    }
    while (this.size > 0 && (this.size > this.maxChanges || this.keyBytes > this.maxKeyBytes)) this.evictOldestRevision();
    // Reclaim the evicted slots once they are half the array, so eviction stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.changes.length) {
      this.changes = this.changes.slice(this.head);
      this.head = 0;
    }
  }

  /** The held changes with a revision above `revision`, oldest first. */
  after(revision: number): WatchChange[] {
    let low = this.head;
    let high = this.changes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.changes[middle].revision <= revision) low = middle + 1;
      else high = middle;
    }
    return this.changes.slice(low);
  }

  private evictOldestRevision(): void {
    const revision = this.changes[this.head].revision;
    while (this.head < this.changes.length && this.changes[this.head].revision === revision) {
      this.keyBytes -= this.changes[this.head].key.length;
      this.head += 1;
    }
    this.floor = revision;
  }
}
