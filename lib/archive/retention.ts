// How long and how much the archive keeps (ETCDLENS_ARCHIVE_RETENTION): an age ("14d", "36h"), a
// size ("20GB", "500MB") or both ("14d,20GB"). Pure: parsed once in lib/env.ts, applied by each
// recorder through ArchiveStore.prune.

export type Retention = {
  /** Revisions that arrived longer ago than this leave the archive. */
  maxAgeMs?: number;
  /** The oldest revisions leave while the cluster's archive is larger than this (see archiveSizeOf). */
  maxBytes?: number;
};

// Sizes in decimal units as disks are sold (GB = 10^9 bytes), binary ones (GiB) for those who
// think in them.
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const AGE_UNITS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * The retention a setting asks for; throws an Error whose message says what is wrong (the
 * setting is the caller's to name). An empty setting keeps everything.
 */
export function parseRetention(text: string): Retention {
  const retention: Retention = {};
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(part);
    if (!match) throw new Error(`"${part}" is neither an age (14d, 36h, 90m, 2w) nor a size (20GB, 500MB, 2GiB)`);
    const amount = Number(match[1]);
    const unit = match[2].toLowerCase();
    if (unit in AGE_UNITS) {
      if (retention.maxAgeMs !== undefined) throw new Error("it names an age twice");
      retention.maxAgeMs = Math.round(amount * AGE_UNITS[unit]);
      if (retention.maxAgeMs < 60_000) throw new Error(`an age of "${part}" is shorter than a minute`);
    } else if (unit in SIZE_UNITS) {
      if (retention.maxBytes !== undefined) throw new Error("it names a size twice");
      retention.maxBytes = Math.round(amount * SIZE_UNITS[unit]);
      if (retention.maxBytes < 1e6) throw new Error(`a size of "${part}" is under 1MB, too small to hold one cluster's state`);
    } else {
      throw new Error(`"${match[2]}" in "${part}" is not a unit: ages take m, h, d or w; sizes B, KB, MB, GB, TB (or KiB, MiB, GiB, TiB)`);
    }
  }
  return retention;
}

/** True when the retention removes anything at all. */
export function retainsLimited(retention: Retention | undefined): retention is Retention {
  return retention !== undefined && (retention.maxAgeMs !== undefined || retention.maxBytes !== undefined);
}

// What one stored version costs beyond its (compressed) value bytes: the row, its two index entries
// and its share of the page (SQLite and PostgreSQL alike, within a factor of two). The size a
// retention limits is the sum of both, per cluster: an estimate kept by the store on every write,
// never a scan of the archive.
export const VERSION_ROW_BYTES = 64;

/** What a version of `valueBytes` stored bytes counts towards a size retention. */
export function archiveSizeOf(valueBytes: number): number {
  return valueBytes + VERSION_ROW_BYTES;
}

/**
 * Where a size retention cuts: the revision of the first of the oldest versions (in revision
 * order, with their stored value bytes) by which `excess` bytes are gone; null when these are not
 * enough (the cut is then past them).
 */
export function sizeBoundary(oldest: readonly { revision: number; bytes: number }[], excess: number): number | null {
  let removed = 0;
  for (const version of oldest) {
    removed += archiveSizeOf(version.bytes);
    if (removed >= excess) return version.revision;
  }
  return null;
}

/**
 * Which of a key's versions at or below the prune boundary stay. The value of every key at the
 * boundary stays readable: its newest version at or below it is kept (a DELETE there means the key
 * did not exist, which needs no row), and every version below that one goes. `versions` are the
 * key's versions at or below `boundary`, oldest first.
 */
export function planKeyPrune(
  versions: readonly { revision: number; deleted: boolean }[],
  boundary: number,
): { deleteBelow: number; keep: number | null } {
  const newest = versions[versions.length - 1];
  // At the boundary itself the version is one of the boundary revision's events: it stays as such.
  if (!newest || newest.revision === boundary) return { deleteBelow: boundary, keep: null };
  if (newest.deleted) return { deleteBelow: boundary, keep: null };
  return { deleteBelow: newest.revision, keep: newest.revision };
}
