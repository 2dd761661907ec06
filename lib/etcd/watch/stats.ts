import "server-only";
import { listClusterFeeds } from "./cluster-feed";
import { listClusterWatches, watchesOf, type WatchReport } from "./cluster-watches";
import { MAX_WATCH_STREAMS_PER_CLUSTER, type WatchPurpose } from "./stream-budget";

export type ClusterWatchStats = {
  cluster: string;
  /** etcd watch streams the dashboard holds on this cluster now (never above the ceiling). */
  streams: number;
  streamsByPurpose: Record<WatchPurpose, number>;
  /** Consumers of the cluster feed (watch hubs, the folder index). */
  feedConsumers: number;
  replaysWaiting: number;
  replaysRefused: number;
  replaysFinished: number;
  replayAttemptsFailed: number;
  /** The resumable watches running (the feed), with state, endpoint and last error. */
  watches: WatchReport[];
};

export type WatchStats = { ceilingPerCluster: number; streams: number; clusters: ClusterWatchStats[] };

/** What the watch module holds on etcd now, per cluster: for tests, diagnostics and fault tests. */
export function getWatchStats(): WatchStats {
  const feeds = new Map(listClusterFeeds().map(([connection, feed]) => [watchesOf(connection), feed]));
  const clusters = listClusterWatches().map((watches): ClusterWatchStats => {
    const held = watches.budget.held();
    return {
      cluster: watches.name,
      streams: held.feed + held.replay + held.archive,
      streamsByPurpose: held,
      feedConsumers: feeds.get(watches)?.consumerCount ?? 0,
      replaysWaiting: watches.budget.waiting("replay"),
      replaysRefused: watches.budget.refused,
      replaysFinished: watches.replays.finished,
      replayAttemptsFailed: watches.replays.failedAttempts,
      watches: [...watches.reporters].map((report) => report()),
    };
  });
  return {
    ceilingPerCluster: MAX_WATCH_STREAMS_PER_CLUSTER,
    streams: clusters.reduce((sum, cluster) => sum + cluster.streams, 0),
    clusters,
  };
}
