import "server-only";
import type { ClusterConnection } from "../client";
import { toAppError } from "../errors";
import type { WatchState } from "./cluster-watches";
import { readCurrentRevision } from "./current-revision";
import { ResumableWatch } from "./resumable-watch";
import type { RevisionBatch } from "./revision-batches";
import { watchSettings } from "./settings";
import { toWatchChange, WHOLE_KEYSPACE, type ChangeBatch } from "./watch-change";

// The cluster feed: one live watch over the whole keyspace per cluster, which every watch hub
// and the folder index consume. A hub keeps only its prefix's changes, so the number of etcd
// streams does not grow with prefixes or browsers. Over the whole keyspace every revision has at
// least one event, so the revision delivered last is exactly how far the feed has seen etcd: no
// progress answer (unordered with events before etcd 3.4.24/3.5.8) is needed to know it.

export type FeedConsumer = {
  /**
   * Every revision after the subscription's `startsAfter`, in order, all its changes together.
   * `values` holds each change's new value in the order of batch.changes (empty for a DELETE), for
   * a consumer that reads them as they pass (Insights' managers): views of etcd's response, never to be kept.
   */
  batch: (batch: ChangeBatch, values: readonly Uint8Array[]) => void;
  /** Revisions between the last batch and `compactRevision` are gone; batches go on from it. */
  compacted: (compactRevision: number) => void;
  state?: (state: WatchState) => void;
};

const NO_VALUE = new Uint8Array(0);

export type FeedSubscription = { startsAfter: number; close: () => void };

export class ClusterFeed {
  private watch: ResumableWatch | null = null;
  private starting: Promise<ResumableWatch> | null = null;
  private readonly consumers = new Set<FeedConsumer>();
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly connection: ClusterConnection) {}

  get consumerCount(): number {
    return this.consumers.size;
  }

  get state(): WatchState {
    return this.watch?.state ?? { state: "stopped" };
  }

  get endpoint(): string | null {
    return this.watch?.endpoint ?? null;
  }

  get reconnects(): number {
    return this.watch?.reconnectCount ?? 0;
  }

  /** The last revision delivered (0 before the feed has started). */
  get revision(): number {
    return this.watch?.lastRevision ?? 0;
  }

  /**
   * Adds a consumer; it gets every revision after `startsAfter`. Starting the feed reads the
   * cluster's revision, so this fails (etcd_unavailable) only when the feed is not running and etcd
   * cannot be reached; once running, subscribing never waits for etcd.
   */
  async subscribe(consumer: FeedConsumer): Promise<FeedSubscription> {
    const watch = await this.start();
    clearTimeout(this.graceTimer);
    this.consumers.add(consumer);
    let closed = false;
    return {
      startsAfter: watch.lastRevision,
      close: () => {
        if (closed) return;
        closed = true;
        this.leave(consumer);
      },
    };
  }

  private start(): Promise<ResumableWatch> {
    if (this.watch) return Promise.resolve(this.watch);
    this.starting ??= readCurrentRevision(this.connection)
      .then((revision) => {
        const watch = new ResumableWatch(this.connection, {
          purpose: "feed",
          range: WHOLE_KEYSPACE,
          after: revision,
          onBatch: (batch) => this.fanOut(batch),
          onCompacted: (compactRevision) => this.each((consumer) => consumer.compacted(compactRevision)),
          onState: (state) => this.each((consumer) => consumer.state?.(state)),
        });
        this.watch = watch;
        watch.start();
        return watch;
      })
      .catch((error: unknown) => {
        throw toAppError(error, this.connection);
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  private fanOut(batch: RevisionBatch): void {
    const changes: ChangeBatch = { revision: batch.revision, changes: batch.events.map(toWatchChange) };
    const values = batch.events.map((event) => (event.type === "Delete" ? NO_VALUE : event.kv.value));
    this.each((consumer) => consumer.batch(changes, values));
  }

  private each(call: (consumer: FeedConsumer) => void): void {
    for (const consumer of [...this.consumers]) {
      try {
        call(consumer);
      } catch (error) {
        // One consumer's bug must not stop the others' feed.
        console.error("etcdlens: a watch feed consumer failed", error);
      }
    }
  }

  private leave(consumer: FeedConsumer): void {
    this.consumers.delete(consumer);
    if (this.consumers.size > 0) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (this.consumers.size > 0 || !this.watch) return;
      this.watch.stop();
      this.watch = null;
    }, watchSettings.feedGraceMs);
    this.graceTimer.unref();
  }
}

const globalFeeds = globalThis as unknown as { etcdlensClusterFeeds?: Map<ClusterConnection, ClusterFeed> };

/** The feed of a cluster, made on first use; its stream closes a while after its last consumer. */
export function getClusterFeed(connection: ClusterConnection): ClusterFeed {
  const feeds = (globalFeeds.etcdlensClusterFeeds ??= new Map());
  let feed = feeds.get(connection);
  if (!feed) {
    feed = new ClusterFeed(connection);
    feeds.set(connection, feed);
  }
  return feed;
}

export function listClusterFeeds(): [ClusterConnection, ClusterFeed][] {
  return [...(globalFeeds.etcdlensClusterFeeds?.entries() ?? [])];
}
