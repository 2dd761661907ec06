// The newest stored PUT of each recently written key, raw, to compress the key's next version
// against without reading and inflating its chain again. Bounded by entries and bytes; the least
// recently written keys leave first (a Map keeps insertion order, and a write re-inserts).

/** The newest stored PUT of a key, raw, to compress the key's next version against. */
export type LatestPut = { revision: number; value: Buffer; depth: number };

// Enough for the keys a busy cluster rewrites all the time (Leases, Endpoints, status churn);
// keys missing here cost one indexed read and the inflation of their chain.
const MAX_ENTRIES = 20_000;
const MAX_BYTES = 64 * 1024 * 1024;

export class LatestPuts<KeyId> {
  private readonly entries = new Map<KeyId, LatestPut>();
  private bytes = 0;

  get(keyId: KeyId): LatestPut | undefined {
    return this.entries.get(keyId);
  }

  /** Keeps `put` unless a newer PUT of the key is already held. */
  remember(keyId: KeyId, put: LatestPut): void {
    const cached = this.entries.get(keyId);
    if (cached && cached.revision > put.revision) return;
    if (cached) {
      this.bytes -= cached.value.length;
      this.entries.delete(keyId);
    }
    this.entries.set(keyId, put);
    this.bytes += put.value.length;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= entry.value.length;
    }
  }

  /** Forgets everything: another holder may have written since. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
