// The largest values of the keyspace, without keeping every key: up to `capacity` candidates
// (twice that between trims) and a floor, the largest size of any key left out. Every key not
// held has a value of at most `floor` bytes, so the held keys larger than the floor are exactly
// the largest keys, in order. Deletions and shrinking values can leave fewer of them than asked
// for; the floor never falls until the next sizing pass starts the set again.

export type LargeValue = { key: string; size: number };

export class LargestValues {
  private readonly held = new Map<string, number>();
  private floorSize = 0;

  constructor(private readonly capacity = 1_000) {}

  get floor(): number {
    return this.floorSize;
  }

  /** A key's current size (new, updated or sized by the pass). */
  offer(key: string, size: number): void {
    if (this.held.has(key) || size > this.floorSize) this.held.set(key, size);
    else return;
    if (this.held.size > this.capacity * 2) this.trim();
  }

  remove(key: string): void {
    this.held.delete(key);
  }

  /** The `limit` largest values of keys starting with `prefix`, as far as they are known exactly (larger than the floor). */
  largest(prefix: string, limit: number): LargeValue[] {
    const found: LargeValue[] = [];
    for (const [key, size] of this.held) if (size > this.floorSize && key.startsWith(prefix)) found.push({ key, size });
    found.sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : 1));
    return found.slice(0, limit);
  }

  private trim(): void {
    const sorted = [...this.held].sort((a, b) => b[1] - a[1]);
    for (const [key, size] of sorted.slice(this.capacity)) {
      this.held.delete(key);
      this.floorSize = Math.max(this.floorSize, size);
    }
  }
}
