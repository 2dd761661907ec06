import "server-only";
import { Counter, Gauge } from "prom-client";
import { getArchiveStore, listArchiveRecorders } from "@/lib/archive/service";
import type { RecorderState } from "@/lib/archive/recorder";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex, type IndexStatus } from "@/lib/etcd/folder-index/folder-index";
import { getWatchStats, readCurrentRevision, type WatchStats } from "@/lib/etcd/watch";
import { listClusterWatches } from "@/lib/etcd/watch/cluster-watches";
import { getWatchHubStats, type WatchHubStats } from "@/lib/etcd/watch-hub";
import { getServerSettings } from "@/lib/env";
import { getMetrics } from "./registry";
import { RunningTotals } from "./running-totals";

// The gauges of what the dashboard holds now: watch streams, the folder index, the archive's
// recorders, the event-stream subscribers. None of them is counted where it happens: each scrape
// reads the modules' own status functions (takeSnapshot), so this file is the only one that knows
// about metrics. etcd's current revision is asked once per cluster per scrape, for the lags.

/** How long a scrape waits for etcd's revision before saying etcd is not answering. */
const REVISION_WAIT_MS = 2_000;

type ClusterSnapshot = {
  name: string;
  /** etcd's current revision; null when etcd did not answer within REVISION_WAIT_MS. */
  etcdRevision: number | null;
  index: IndexStatus;
  /** What the archive holds of this cluster (bytes), when the archive is on and answers. */
  archiveBytes: number | null;
};

type RecorderSnapshot = { cluster: string; state: RecorderState; lastStored: number; eventsStored: number; backlogEvents: number };

export type MetricsSnapshot = {
  clusters: ClusterSnapshot[];
  recorders: RecorderSnapshot[];
  watches: WatchStats;
  /** Each running watch's reconnects, by the watch (its reporter) so that a count is never added twice. */
  reconnects: { cluster: string; watch: object; count: number }[];
  hubs: WatchHubStats;
};

function withinWait<T>(work: Promise<T>): Promise<T | null> {
  return Promise.race([work.catch(() => null), new Promise<null>((resolve) => setTimeout(() => resolve(null), REVISION_WAIT_MS).unref())]);
}

async function archivedBytesOf(cluster: string): Promise<number | null> {
  const store = await getArchiveStore();
  if (!store) return null;
  return (await store.coverage(cluster)).storedBytes ?? null;
}

/** What every gauge reports, read once per scrape. */
export async function takeSnapshot(): Promise<MetricsSnapshot> {
  let names: string[];
  try {
    names = getServerSettings().clusters.map((cluster) => cluster.name);
  } catch {
    // A configuration error is said by every route; the process metrics still answer.
    names = [];
  }
  const clusters = await Promise.all(
    names.map(async (name): Promise<ClusterSnapshot> => {
      const connection = getCluster(name);
      const [etcdRevision, archiveBytes] = await Promise.all([
        withinWait(readCurrentRevision(connection)),
        withinWait(archivedBytesOf(name)),
      ]);
      return { name, etcdRevision, index: getFolderIndex(connection).status(), archiveBytes };
    }),
  );
  const recorders = listArchiveRecorders().map(([cluster, recorder]) => ({
    cluster,
    state: recorder.state,
    lastStored: recorder.lastStoredRevision,
    eventsStored: recorder.eventsStored,
    backlogEvents: recorder.backlog.events,
  }));
  const reconnects = listClusterWatches().flatMap((watches) =>
    [...watches.reporters].map((report) => ({ cluster: watches.name, watch: report, count: report().reconnects })),
  );
  return { clusters, recorders, watches: getWatchStats(), reconnects, hubs: getWatchHubStats() };
}

const RECORDER_STATES: RecorderState["state"][] = ["starting", "standby", "baseline", "recording", "failing", "stopped"];

/** Adds the gauges to the process's registry, once; `current` gives the snapshot of the scrape running. */
export function registerCollectors(current: () => MetricsSnapshot | null): void {
  const metrics = getMetrics();
  if (metrics.collectorsRegistered) return;
  metrics.collectorsRegistered = true;
  const registers = [metrics.registry];

  // A gauge whose series are set afresh by every scrape (a cluster removed from the file disappears).
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    fill: (set: (labels: Record<L, string>, value: number) => void, snapshot: MetricsSnapshot) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        const snapshot = current();
        if (snapshot) fill((labels, value) => this.set(labels as never, value), snapshot);
      },
    });

  gauge("etcdlens_etcd_up", "1 when etcd answered this scrape's revision request within 2 s, else 0.", ["cluster"], (set, s) => {
    for (const cluster of s.clusters) set({ cluster: cluster.name }, cluster.etcdRevision === null ? 0 : 1);
  });
  gauge("etcdlens_etcd_revision", "etcd's current revision.", ["cluster"], (set, s) => {
    for (const cluster of s.clusters) if (cluster.etcdRevision !== null) set({ cluster: cluster.name }, cluster.etcdRevision);
  });

  gauge(
    "etcdlens_folder_index_ready",
    "1 when the folder index is built and followed live, 0 while it builds or before first use.",
    ["cluster"],
    (set, s) => {
      for (const cluster of s.clusters) set({ cluster: cluster.name }, cluster.index.state === "ready" ? 1 : 0);
    },
  );
  gauge("etcdlens_folder_index_keys", "Keys the folder index counts (keys scanned so far while it builds).", ["cluster"], (set, s) => {
    for (const { name, index } of s.clusters) {
      if (index.state === "ready") set({ cluster: name }, index.keys);
      if (index.state === "building") set({ cluster: name }, index.keysScanned);
    }
  });
  gauge("etcdlens_folder_index_folders", "Folders in the folder index.", ["cluster"], (set, s) => {
    for (const { name, index } of s.clusters) if (index.state === "ready") set({ cluster: name }, index.folders);
  });
  gauge("etcdlens_folder_index_revision", "The revision the folder index is exact at.", ["cluster"], (set, s) => {
    for (const { name, index } of s.clusters) if (index.state === "ready") set({ cluster: name }, index.revision);
  });
  gauge(
    "etcdlens_folder_index_lag_revisions",
    "Revisions etcd is ahead of the folder index (etcd's revision minus the index's).",
    ["cluster"],
    (set, s) => {
      for (const { name, index, etcdRevision } of s.clusters) {
        if (index.state === "ready" && etcdRevision !== null) set({ cluster: name }, Math.max(0, etcdRevision - index.revision));
      }
    },
  );

  gauge("etcdlens_watch_streams", "etcd watch streams held now, by purpose (feed, replay, archive).", ["cluster", "purpose"], (set, s) => {
    for (const cluster of s.watches.clusters) {
      for (const [purpose, streams] of Object.entries(cluster.streamsByPurpose)) set({ cluster: cluster.cluster, purpose }, streams);
    }
  });
  gauge(
    "etcdlens_watches",
    "Resumable watches running (the cluster feed, the recorders' watches), by state.",
    ["cluster", "state"],
    (set, s) => {
      for (const cluster of s.watches.clusters) {
        const byState = new Map<string, number>();
        for (const report of cluster.watches) byState.set(report.state.state, (byState.get(report.state.state) ?? 0) + 1);
        for (const state of ["connecting", "live", "reconnecting"]) set({ cluster: cluster.cluster, state }, byState.get(state) ?? 0);
      }
    },
  );
  // Each watch reports its own reconnects and disappears when it stops: the counter adds what each
  // watch gained since the last scrape, so it never goes down when a watch ends.
  const reconnects = new RunningTotals<string>();
  new Counter<"cluster">({
    name: "etcdlens_watch_reconnects_total",
    help: "Times a watch stream broke and was opened again (resumed from the next revision).",
    labelNames: ["cluster"],
    registers,
    collect() {
      const snapshot = current();
      if (!snapshot) return;
      for (const cluster of snapshot.watches.clusters) reconnects.include(cluster.cluster);
      for (const { cluster, watch, count } of snapshot.reconnects) reconnects.record(cluster, watch, count);
      this.reset();
      for (const [cluster, total] of reconnects.entries()) this.inc({ cluster }, total);
    },
  });
  gauge("etcdlens_watch_hubs", "Prefixes watched for the live event streams (/api/watch).", [], (set, s) => set({}, s.hubs.hubs));
  gauge("etcdlens_sse_subscribers", "Browsers (and other clients) connected to a live event stream (/api/watch).", [], (set, s) =>
    set({}, s.hubs.subscribers),
  );

  gauge("etcdlens_recorder_state", "1 for the state this process's archive recorder is in.", ["cluster", "state"], (set, s) => {
    for (const recorder of s.recorders) {
      for (const state of RECORDER_STATES) set({ cluster: recorder.cluster, state }, recorder.state.state === state ? 1 : 0);
    }
  });
  gauge("etcdlens_recorder_revision", "The last revision the archive recorder stored whole.", ["cluster"], (set, s) => {
    for (const recorder of s.recorders) set({ cluster: recorder.cluster }, recorder.lastStored);
  });
  gauge("etcdlens_recorder_lag_revisions", "Revisions etcd is ahead of the archive (while recording).", ["cluster"], (set, s) => {
    for (const recorder of s.recorders) {
      const etcdRevision = s.clusters.find((cluster) => cluster.name === recorder.cluster)?.etcdRevision ?? null;
      if (recorder.state.state === "recording" && etcdRevision !== null)
        set({ cluster: recorder.cluster }, Math.max(0, etcdRevision - recorder.lastStored));
    }
  });
  gauge("etcdlens_recorder_backlog_events", "Events read from etcd and not stored yet.", ["cluster"], (set, s) => {
    for (const recorder of s.recorders) set({ cluster: recorder.cluster }, recorder.backlogEvents);
  });
  new Counter<"cluster">({
    name: "etcdlens_recorder_events_total",
    help: "Events of live revisions the archive recorder stored (rate() of it: events/s).",
    labelNames: ["cluster"],
    registers,
    collect() {
      this.reset();
      for (const recorder of current()?.recorders ?? []) this.inc({ cluster: recorder.cluster }, recorder.eventsStored);
    },
  });
  gauge(
    "etcdlens_archive_stored_bytes",
    "Bytes the archive holds of a cluster (values stored plus a per-version estimate, as the size retention counts).",
    ["cluster"],
    (set, s) => {
      for (const cluster of s.clusters) if (cluster.archiveBytes !== null) set({ cluster: cluster.name }, cluster.archiveBytes);
    },
  );
}
