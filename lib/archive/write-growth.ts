import "server-only";
import { getArchiveStore } from "./service";
import type { ArchiveStore, WriteBucketRow } from "./store";
import { growthWindow, shapeGrowth, type GrowthRange, type GrowthSeries, type GrowthWindow } from "@/lib/insights/growth";

// Growth over time for the Insights page: writes and archived bytes per folder under a prefix, per
// time bucket, aggregated by the store in SQL (one pass over the range's versions through its
// indexes, a few thousand rows back). Answers are kept a minute per cluster, prefix and range, so
// a page polling, or several viewers, cost one query a minute.

/** Rows (buckets × folders) one query returns at most: 288 buckets × ~170 folders. */
const MAX_ROWS = 50_000;
/** Lines a chart draws: the busiest folders, the rest summed. */
const TOP_FOLDERS = 8;
const CACHE_MS = 60_000;
/** Six hours a query: 4 for a day, 28 for a week. */
const SLICE_MS = 6 * 3_600_000;
const MAX_CACHED = 64;

export type WriteGrowth = { window: GrowthWindow; series: GrowthSeries[]; hiddenFolders: number; truncated: boolean };

type Cached = { atMs: number; rows: { bucketStart: number; folder: Buffer; writes: number; bytes: number }[]; window: GrowthWindow };

const globalCache = globalThis as unknown as { etcdlensWriteGrowth?: Map<string, Promise<Cached>> };

/**
 * Null when the archive is off. `visibleFolder` says whether the viewer sees all of a folder (its
 * full key, prefix included): a folder seen in part or not at all is left out and counted in hiddenFolders.
 */
export async function readWriteGrowth(
  cluster: string,
  prefix: Uint8Array,
  range: GrowthRange,
  visibleFolder: (folderKey: Uint8Array) => boolean,
): Promise<WriteGrowth | null> {
  const store = await getArchiveStore();
  if (!store) return null;
  const cache = (globalCache.etcdlensWriteGrowth ??= new Map<string, Promise<Cached>>());
  const cacheKey = `${cluster}\u0000${range}\u0000${Buffer.from(prefix).toString("base64")}`;
  let entry = cache.get(cacheKey);
  const fresh = entry ? await entry.then((cached) => Date.now() - cached.atMs < CACHE_MS).catch(() => false) : false;
  if (!entry || !fresh) {
    const window = growthWindow(range, Date.now());
    entry = readInSlices(store, cluster, Buffer.from(prefix), window).then((rows) => ({ atMs: Date.now(), rows, window }));
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(cacheKey, entry);
    entry.catch(() => cache.delete(cacheKey));
  }
  const { rows, window } = await entry;
  const hidden = new Set<string>();
  const visible: { bucketStart: number; folder: string; writes: number; bytes: number }[] = [];
  const verdicts = new Map<string, boolean>();
  for (const row of rows) {
    const folder = row.folder.toString("latin1");
    let seen = verdicts.get(folder);
    if (seen === undefined) {
      seen = visibleFolder(Buffer.concat([prefix, row.folder]));
      verdicts.set(folder, seen);
    }
    if (seen) visible.push({ bucketStart: row.bucketStart, folder, writes: row.writes, bytes: row.bytes });
    else hidden.add(folder);
  }
  return { window, series: shapeGrowth(visible, window, TOP_FOLDERS), hiddenFolders: hidden.size, truncated: rows.length >= MAX_ROWS };
}

/**
 * The window in slices of SLICE_MS (whole buckets, so no bucket is split), one query each with a
 * turn of the event loop between: better-sqlite3 runs a query synchronously, and a week of a
 * million revisions is ~3 s of SQLite (npm run bench:insights), ~100 ms a slice.
 */
async function readInSlices(store: ArchiveStore, cluster: string, prefix: Buffer, window: GrowthWindow): Promise<WriteBucketRow[]> {
  const slice = Math.max(window.bucketMs, Math.floor(SLICE_MS / window.bucketMs) * window.bucketMs);
  const rows: WriteBucketRow[] = [];
  for (let fromMs = window.fromMs; fromMs < window.toMs && rows.length < MAX_ROWS; fromMs += slice) {
    const toMs = Math.min(window.toMs, fromMs + slice);
    rows.push(
      ...(await store.writesPerBucket(cluster, { prefix, fromMs, toMs, bucketMs: window.bucketMs, maxRows: MAX_ROWS - rows.length })),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  return rows;
}

/** A folder label (latin1, byte for byte, as readWriteGrowth keys them) back to its bytes. */
export function folderBytesOf(label: string): Buffer {
  return Buffer.from(label, "latin1");
}
