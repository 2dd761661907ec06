import "server-only";

// The one module that watches etcd. Everything that reads etcd's event stream goes through it:
// the cluster feed (the live whole-keyspace watch the watch hubs and the folder index consume) and
// bounded replays of past revisions (history, the change feed, catch-ups, the compaction probe).
// Each stream is opened by a WatchAttempt with a slot of the cluster's stream budget, so the
// dashboard never holds more than MAX_WATCH_STREAMS_PER_CLUSTER streams on a cluster.

export { getClusterFeed, type FeedConsumer, type FeedSubscription } from "./cluster-feed";
export type { WatchState } from "./cluster-watches";
export { getCompactRevision } from "./compaction";
export { noteCompactRevision } from "./known-compaction";
export { readCurrentRevision } from "./current-revision";
export { ResumableWatch, type ResumableWatchOptions } from "./resumable-watch";
export type { RevisionBatch } from "./revision-batches";
export { replayRevisions, toChangeBatches, type ReplayedEvent, type ReplayRequest, type ReplayResult } from "./replay";
export { configureWatches, type WatchSettings } from "./settings";
export { getWatchStats, type ClusterWatchStats, type WatchStats } from "./stats";
export { MAX_WATCH_STREAMS_PER_CLUSTER, STREAMS_PER_PURPOSE, type WatchPurpose } from "./stream-budget";
export { rangeOfPrefix, WHOLE_KEYSPACE, type ChangeBatch, type KeyRange, type WatchChange } from "./watch-change";
