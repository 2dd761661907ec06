// Busiest writers: writes counted per minute by top-level prefix and, for Kubernetes objects, by
// kind, namespace and manager, over a sliding window of whole minutes. Memory is bounded: each
// minute keeps at most `maxLabels` distinct labels per dimension, and writes of any label beyond
// them count under OTHER_LABELS, so a namespace per test run or a manager per CI job cannot grow it.

export const WRITER_DIMENSIONS = ["prefix", "kind", "namespace", "manager"] as const;
export type WriterDimension = (typeof WRITER_DIMENSIONS)[number];

/** Writes whose label came after a minute's cap was reached. */
export const OTHER_LABELS = "(other labels)";

export type WriteLabels = Partial<Record<WriterDimension, string>>;

export type WriterRank = { label: string; writes: number; writesPerMinute: number };

export type WriterReport = {
  /** Since when writes are counted (the window's start, or when counting began if later). */
  sinceMs: number;
  /** Minutes the rates are averaged over (at most the window). */
  minutes: number;
  totalWrites: number;
  top: Record<WriterDimension, WriterRank[]>;
};

type Minute = { minute: number; total: number; counts: Record<WriterDimension, Map<string, number>> };

const MINUTE_MS = 60_000;

export class WriterCounts {
  private readonly minutes: Minute[] = [];

  constructor(
    private readonly startedMs: number,
    private readonly options: { windowMinutes: number; maxLabels: number } = { windowMinutes: 10, maxLabels: 500 },
  ) {}

  record(nowMs: number, labels: WriteLabels): void {
    const bucket = this.minuteAt(Math.floor(nowMs / MINUTE_MS));
    bucket.total += 1;
    for (const dimension of WRITER_DIMENSIONS) {
      const label = labels[dimension];
      if (label === undefined) continue;
      const counts = bucket.counts[dimension];
      const known = counts.get(label);
      if (known !== undefined) counts.set(label, known + 1);
      else if (counts.size < this.options.maxLabels) counts.set(label, 1);
      else counts.set(OTHER_LABELS, (counts.get(OTHER_LABELS) ?? 0) + 1);
    }
  }

  /** The `top` labels of each dimension over the window ending now, with their writes per minute. */
  report(nowMs: number, top: number): WriterReport {
    const current = Math.floor(nowMs / MINUTE_MS);
    const windowStartMs = (current - this.options.windowMinutes + 1) * MINUTE_MS;
    const sinceMs = Math.max(windowStartMs, this.startedMs);
    // A minute at least, so the first seconds do not extrapolate a handful of writes into a rate.
    const minutes = Math.max(1, (nowMs - sinceMs) / MINUTE_MS);
    const live = this.minutes.filter((bucket) => bucket.minute * MINUTE_MS >= windowStartMs && bucket.minute <= current);
    const ranks = {} as Record<WriterDimension, WriterRank[]>;
    for (const dimension of WRITER_DIMENSIONS) {
      const sums = new Map<string, number>();
      for (const bucket of live) for (const [label, count] of bucket.counts[dimension]) sums.set(label, (sums.get(label) ?? 0) + count);
      ranks[dimension] = [...sums.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, top)
        .map(([label, writes]) => ({ label, writes, writesPerMinute: writes / minutes }));
    }
    return { sinceMs, minutes, totalWrites: live.reduce((sum, bucket) => sum + bucket.total, 0), top: ranks };
  }

  /** Distinct labels held over every minute and dimension: what the cap bounds. */
  get heldLabels(): number {
    return this.minutes.reduce((sum, bucket) => sum + WRITER_DIMENSIONS.reduce((n, dimension) => n + bucket.counts[dimension].size, 0), 0);
  }

  private minuteAt(minute: number): Minute {
    const last = this.minutes[this.minutes.length - 1];
    if (last && last.minute >= minute) return last;
    const bucket: Minute = { minute, total: 0, counts: { prefix: new Map(), kind: new Map(), namespace: new Map(), manager: new Map() } };
    this.minutes.push(bucket);
    while (this.minutes.length > this.options.windowMinutes) this.minutes.shift();
    return bucket;
  }
}

/**
 * The labels of one write by its key (and value, read by the caller): the top-level prefix is the
 * key up to its second "/" ("/registry/"), or its first segment without a leading "/"; a key with no
 * "/" after its first byte counts as itself, cut to 64 bytes.
 */
export function topLevelPrefixOf(key: string): string {
  const from = key.startsWith("/") ? 1 : 0;
  const slash = key.indexOf("/", from);
  return slash < 0 ? key.slice(0, 64) : key.slice(0, slash + 1);
}
