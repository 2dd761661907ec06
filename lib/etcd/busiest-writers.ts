import "server-only";
import type { ClusterConnection } from "./client";
import { getClusterFeed, type FeedSubscription } from "./watch";
import { readWriteOrigin } from "@/lib/decode/write-origin";
import { topLevelPrefixOf, WriterCounts, type WriteLabels, type WriterReport } from "@/lib/insights/writer-counts";

// The busiest writers of a cluster, counted from the cluster feed (no etcd stream of its own) only
// while someone looks: the first request starts counting, and counting stops, its memory dropped,
// LINGER_MS after the last request. Its cost is bounded besides: WriterCounts caps the labels, and a
// write's kind, namespace and manager are read by a protobuf walk that skips all else (write-origin.ts).

/** How long counting goes on after the Insights page last asked (it polls every few seconds while open). */
const LINGER_MS = 15 * 60_000;
const WINDOW_MINUTES = 10;
const MAX_LABELS = 500;
/** The top-level prefixes holding Kubernetes objects, kept for the access check of the Kubernetes figures. */
const MAX_KUBERNETES_PREFIXES = 64;

type Counting = {
  counts: WriterCounts;
  subscription: FeedSubscription;
  lastAskedMs: number;
  kubernetesPrefixes: Set<string>;
  timer: NodeJS.Timeout;
};

export type BusiestWriters = WriterReport & {
  /** The top-level prefixes whose writes gave the kind, namespace and manager figures. */
  kubernetesPrefixes: string[];
};

const globalCounting = globalThis as unknown as { etcdlensBusiestWriters?: Map<ClusterConnection, Promise<Counting>> };

function countings(): Map<ClusterConnection, Promise<Counting>> {
  return (globalCounting.etcdlensBusiestWriters ??= new Map());
}

/** The busiest writers over the last minutes; the first call starts counting (and so reports nothing yet). */
export async function readBusiestWriters(connection: ClusterConnection, top: number): Promise<BusiestWriters> {
  const counting = await startCounting(connection);
  counting.lastAskedMs = Date.now();
  return { ...counting.counts.report(Date.now(), top), kubernetesPrefixes: [...counting.kubernetesPrefixes] };
}

function startCounting(connection: ClusterConnection): Promise<Counting> {
  const all = countings();
  const known = all.get(connection);
  if (known) return known;
  const started = subscribe(connection);
  all.set(connection, started);
  started.catch(() => all.delete(connection));
  return started;
}

async function subscribe(connection: ClusterConnection): Promise<Counting> {
  const counts = new WriterCounts(Date.now(), { windowMinutes: WINDOW_MINUTES, maxLabels: MAX_LABELS });
  const kubernetesPrefixes = new Set<string>();
  const subscription = await getClusterFeed(connection).subscribe({
    batch: (batch, values) => {
      const now = Date.now();
      batch.changes.forEach((change, i) => {
        const prefix = topLevelPrefixOf(change.key.subarray(0, 256).toString("utf8"));
        const labels: WriteLabels = { prefix };
        // A DELETE carries no value: it counts under its prefix only.
        const origin = change.type === "PUT" ? readWriteOrigin(values[i]) : null;
        if (origin) {
          labels.kind = origin.kind;
          if (origin.namespace) labels.namespace = origin.namespace;
          if (origin.manager) labels.manager = origin.manager;
          if (kubernetesPrefixes.size < MAX_KUBERNETES_PREFIXES) kubernetesPrefixes.add(prefix);
        }
        counts.record(now, labels);
      });
    },
    // Compacted revisions were never delivered: the counts simply miss them, as a gap in the minute.
    compacted: () => undefined,
  });
  const counting: Counting = {
    counts,
    subscription,
    lastAskedMs: Date.now(),
    kubernetesPrefixes,
    timer: setInterval(() => {
      if (Date.now() - counting.lastAskedMs < LINGER_MS) return;
      stopCounting(connection, counting);
    }, 60_000),
  };
  counting.timer.unref();
  return counting;
}

function stopCounting(connection: ClusterConnection, counting: Counting): void {
  clearInterval(counting.timer);
  counting.subscription.close();
  countings().delete(connection);
}
