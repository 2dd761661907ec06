// The newest stored PUTs of each recently written key, raw, to compress the key's next version
// against without reading and inflating its chain again. Bounded by entries and bytes; the least
// recently written keys leave first (a Map keeps insertion order, and a write re-inserts).
//
// Two per key: the newest, and the newest of those older than it. A recorder's first start stores
// a baseline (every key at the current revision) and then replays etcd's retained history from
// far below it: each replayed version is older than the baseline's, so with the newest alone
// every one of them missed and read its base back from the store (a query and up to 16 inflations
// per event; PostgreSQL replayed 515 revisions/s in npm run bench:recorder). Any stored PUT below
// a version is a valid base (each stored value names its base's revision), so `below` may return
// one that is not the very newest below it.

/** A stored PUT of a key, raw, to compress the key's next version against. */
export type LatestPut = { revision: number; value: Buffer; depth: number };

// Enough for the keys a busy cluster rewrites all the time (Leases, Endpoints, status churn);
// keys missing here cost one indexed read and the inflation of their chain.
const MAX_ENTRIES = 20_000;
const MAX_BYTES = 64 * 1024 * 1024;

type Held = { newest: LatestPut; older?: LatestPut };

const heldBytes = (held: Held) => held.newest.value.length + (held.older?.value.length ?? 0);

export class LatestPuts<KeyId> {
  private readonly entries = new Map<KeyId, Held>();
  private bytes = 0;

  /** The newest PUT of the key held here. */
  get(keyId: KeyId): LatestPut | undefined {
    return this.entries.get(keyId)?.newest;
  }

  /** The newest PUT of the key held here below `revision`, to compress a version at `revision` against. */
  below(keyId: KeyId, revision: number): LatestPut | undefined {
    const held = this.entries.get(keyId);
    if (!held) return undefined;
    if (held.newest.revision < revision) return held.newest;
    if (held.older && held.older.revision < revision) return held.older;
    return undefined;
  }

  /** The one of `revision` held here, if it is. */
  at(keyId: KeyId, revision: number): LatestPut | undefined {
    const held = this.entries.get(keyId);
    if (held?.newest.revision === revision) return held.newest;
    if (held?.older?.revision === revision) return held.older;
    return undefined;
  }

  /** Holds `put` as the key's newest, or as the newest older one when a newer PUT is held already. */
  remember(keyId: KeyId, put: LatestPut): void {
    const cached = this.entries.get(keyId);
    let held: Held;
    if (!cached) held = { newest: put };
    else if (cached.newest.revision < put.revision) held = { newest: put, older: cached.newest };
    else if (cached.newest.revision === put.revision) held = cached;
    else if (!cached.older || cached.older.revision < put.revision) held = { newest: cached.newest, older: put };
    else held = cached;
    if (cached) {
      this.bytes -= heldBytes(cached);
      this.entries.delete(keyId);
    }
    this.entries.set(keyId, held);
    this.bytes += heldBytes(held);
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= heldBytes(entry);
    }
  }

  /** Forgets everything: another holder may have written since. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
