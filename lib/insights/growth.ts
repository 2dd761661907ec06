// Growth over time from the archive: the time buckets of a range and the per-folder series the
// charts draw, shaped from the rows the store aggregated in SQL (a few hundred buckets times the
// folders, never the events themselves).

export type GrowthRange = "24h" | "7d";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** 24 h in 5-minute buckets (288 points), 7 d in hourly ones (168). */
export const BUCKET_MS: Record<GrowthRange, number> = { "24h": 5 * MINUTE_MS, "7d": HOUR_MS };
const RANGE_MS: Record<GrowthRange, number> = { "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS };

export type GrowthWindow = { fromMs: number; toMs: number; bucketMs: number; bucketStarts: number[] };

/** The buckets of `range` ending with the one holding `nowMs`, aligned to the bucket size as the SQL groups them. */
export function growthWindow(range: GrowthRange, nowMs: number): GrowthWindow {
  const bucketMs = BUCKET_MS[range];
  const toMs = (Math.floor(nowMs / bucketMs) + 1) * bucketMs;
  const fromMs = toMs - RANGE_MS[range];
  const bucketStarts: number[] = [];
  for (let start = fromMs; start < toMs; start += bucketMs) bucketStarts.push(start);
  return { fromMs, toMs, bucketMs, bucketStarts };
}

export type GrowthRow = { bucketStart: number; folder: string; writes: number; bytes: number };

export type GrowthSeries = {
  folder: string;
  /** Per bucket, in the order of bucketStarts: writes per minute, and bytes written in the bucket. */
  writesPerMinute: number[];
  bytes: number[];
  totalWrites: number;
  totalBytes: number;
};

/** The label of the series that sums every folder beyond the top ones. */
export const OTHER_FOLDERS = "(other folders)";

/**
 * The `top` folders by writes over the window, each a series over every bucket (zeros where it
 * wrote nothing), and the rest summed into one OTHER_FOLDERS series, so that a prefix with
 * thousands of folders still draws a handful of lines and the totals stay whole.
 */
export function shapeGrowth(rows: readonly GrowthRow[], window: GrowthWindow, top: number): GrowthSeries[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.folder, (totals.get(row.folder) ?? 0) + row.writes);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = new Set(ranked.slice(0, top).map(([folder]) => folder));
  const labels = [...kept];
  if (ranked.length > kept.size) labels.push(OTHER_FOLDERS);
  const index = new Map(window.bucketStarts.map((start, i) => [start, i]));
  const minutes = window.bucketMs / MINUTE_MS;
  const series = new Map(
    labels.map((folder) => [
      folder,
      {
        folder,
        writes: new Array<number>(window.bucketStarts.length).fill(0),
        bytes: new Array<number>(window.bucketStarts.length).fill(0),
      },
    ]),
  );
  for (const row of rows) {
    const at = index.get(row.bucketStart);
    if (at === undefined) continue;
    const target = series.get(kept.has(row.folder) ? row.folder : OTHER_FOLDERS)!;
    target.writes[at] += row.writes;
    target.bytes[at] += row.bytes;
  }
  return [...series.values()].map(({ folder, writes, bytes }) => ({
    folder,
    writesPerMinute: writes.map((count) => count / minutes),
    bytes,
    totalWrites: writes.reduce((sum, count) => sum + count, 0),
    totalBytes: bytes.reduce((sum, count) => sum + count, 0),
  }));
}
