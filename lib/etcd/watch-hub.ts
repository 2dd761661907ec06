import "server-only";
import { keyToDisplay, startsWithBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { toAppError } from "./errors";
import {
  getClusterFeed,
  getWatchStats,
  rangeOfPrefix,
  replayRevisions,
  toChangeBatches,
  WHOLE_KEYSPACE,
  type ChangeBatch,
  type FeedSubscription,
  type WatchChange,
  type WatchState,
} from "./watch";
import { ChangeRing } from "./watch-ring";

// The watch hub of one prefix fans the cluster feed out to the browsers watching that prefix: it
// keeps the prefix's changes from the feed (one etcd stream per cluster, however many prefixes
// and browsers), holds recent ones in a bounded ring so that a browser resuming a little behind
// is served from memory, and catches one further behind up from etcd's history with a bounded
// replay, or tells it to reload. It never watches etcd itself.

export type WatchHubSettings = {
  /** The ring keeps at most this many recent changes... */
  bufferChanges: number;
  /** ...and at most this many key bytes. */
  bufferKeyBytes: number;
  /** How long a hub without subscribers keeps its ring, for a browser that reconnects. */
  graceMs: number;
  heartbeatMs: number;
  /** How often an idle hub tells its subscribers how far it has seen etcd (`progress`). */
  progressMs: number;
  /** Catch-ups spanning more revisions than this are not attempted: the browser reloads. */
  maxCatchUpRevisions: number;
  /** Events a catch-up may read (whole-keyspace catch-ups read other prefixes too). */
  maxCatchUpScanned: number;
  /** Key and value bytes a catch-up may hold while it reads. */
  maxCatchUpBytes: number;
  catchUpTimeoutMs: number;
  /** Messages held for a subscriber while it catches up; more and it is dropped. */
  maxPendingMessages: number;
};

const settings: WatchHubSettings = {
  bufferChanges: 10_000,
  bufferKeyBytes: 8 * 1024 * 1024,
  graceMs: 5_000,
  heartbeatMs: 15_000,
  progressMs: 5_000,
  maxCatchUpRevisions: 100_000,
  maxCatchUpScanned: 200_000,
  maxCatchUpBytes: 64 * 1024 * 1024,
  catchUpTimeoutMs: 30_000,
  maxPendingMessages: 50_000,
};

/** Changes the hubs' tuning (tests shorten the intervals); applies to hubs made afterwards. */
export function configureWatchHubs(changes: Partial<WatchHubSettings>): void {
  Object.assign(settings, changes);
}

export type HubMessage =
  | { kind: "ready"; revision: number }
  /** Changes in revision order; all changes of a revision come in one message. */
  | { kind: "changes"; changes: readonly WatchChange[] }
  | { kind: "progress"; revision: number }
  | { kind: "compacted"; compactRevision: number; revision: number }
  | { kind: "reset"; reason: string; revision: number }
  /** The server's watch of etcd is down; it tries again in `retryInMs`. Nothing is lost meanwhile. */
  | { kind: "reconnecting"; reason: string; retryInMs: number }
  /** The server's watch of etcd is back; changes after `revision` follow. */
  | { kind: "live"; revision: number }
  | { kind: "heartbeat" };

export type WatchSink = {
  /** Returns false when the subscriber's queue is full; the hub then drops it. */
  send: (message: HubMessage) => boolean;
  /** The hub stopped serving this subscriber (too slow, or etcd unreachable for a catch-up). */
  dropped: (reason: string) => void;
};

export type WatchSubscription = { startsAfter: number; close: () => void };

class Subscriber {
  /** Changes at or below this revision are never sent (again). */
  sentThrough: number;
  /** Messages held back while the subscriber catches up from etcd. */
  pending: HubMessage[] | null = null;
  closed = false;

  constructor(
    readonly sink: WatchSink,
    startsAfter: number,
  ) {
    this.sentThrough = startsAfter;
  }
}

export class WatchHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly ring: ChangeRing;
  private readonly settings: WatchHubSettings = { ...settings };
  /** Every change in the prefix in (ring.floor, lastRevision] is in the ring. */
  private lastRevision = 0;
  private started: Promise<void> | null = null;
  private feed: FeedSubscription | null = null;
  private reconnecting: Extract<WatchState, { state: "reconnecting" }> | null = null;
  private changedSinceTick = false;
  private timers: NodeJS.Timeout[] = [];
  private graceTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connection: ClusterConnection,
    readonly prefix: Uint8Array,
    private readonly onClosed: () => void,
  ) {
    this.ring = new ChangeRing(this.settings.bufferChanges, this.settings.bufferKeyBytes);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Attaches a subscriber that has every change up to `resumeAfter` (none given: the hub's
   * current revision). It is sent `ready`, then every later change exactly once, in order.
   */
  async subscribe(sink: WatchSink, resumeAfter?: number): Promise<WatchSubscription> {
    await this.start();
    clearTimeout(this.graceTimer);
    const startsAfter = resumeAfter ?? this.lastRevision;
    const subscriber = new Subscriber(sink, startsAfter);
    this.subscribers.add(subscriber);
    const subscription = { startsAfter, close: () => this.unsubscribe(subscriber) };
    if (!this.deliver(subscriber, { kind: "ready", revision: startsAfter })) return subscription;
    if (this.reconnecting && !this.deliver(subscriber, this.reconnectingMessage(this.reconnecting))) return subscription;

    if (startsAfter >= this.ring.floor) {
      this.deliver(subscriber, { kind: "changes", changes: this.ring.after(startsAfter) });
      return subscription;
    }
    // Older than the ring: hold live messages back while the gap is read from etcd.
    subscriber.pending = [];
    const through = this.ring.floor;
    const buffered = this.ring.after(through);
    void this.catchUp(subscriber, startsAfter, through, buffered);
    return subscription;
  }

  stats(): {
    prefix: string;
    endpoint: string | null;
    subscribers: number;
    /** The cluster feed this hub consumes has its stream open or opening, and is not failing. */
    watching: boolean;
    state: WatchState["state"];
    lastRevision: number;
    buffered: number;
    reconnects: number;
  } {
    const feed = getClusterFeed(this.connection);
    return {
      prefix: keyToDisplay(this.prefix),
      endpoint: feed.endpoint,
      subscribers: this.subscribers.size,
      watching: this.feed !== null && (feed.state.state === "live" || feed.state.state === "connecting"),
      state: feed.state.state,
      lastRevision: this.lastRevision,
      buffered: this.ring.size,
      reconnects: feed.reconnects,
    };
  }

  private start(): Promise<void> {
    this.started ??= this.open().catch((error: unknown) => {
      this.started = null;
      throw toAppError(error, this.connection);
    });
    return this.started;
  }

  private async open(): Promise<void> {
    const feed = await getClusterFeed(this.connection).subscribe({
      batch: (batch) => this.receive(batch),
      compacted: (compactRevision) => this.fellBehindCompaction(compactRevision),
      state: (state) => this.feedStateChanged(state),
    });
    if (this.closed) {
      feed.close();
      return;
    }
    this.feed = feed;
    this.lastRevision = Math.max(this.lastRevision, feed.startsAfter);
    this.ring.reset(this.lastRevision);
    // The feed reports changes of state only; a hub made during an outage learns of it here.
    this.feedStateChanged(getClusterFeed(this.connection).state);
    this.timers.push(setInterval(() => this.heartbeat(), this.settings.heartbeatMs));
    this.timers.push(setInterval(() => this.tick(), this.settings.progressMs));
    for (const timer of this.timers) timer.unref();
  }

  private receive(batch: ChangeBatch): void {
    if (batch.revision <= this.lastRevision) return;
    this.lastRevision = batch.revision;
    const changes = batch.changes.filter((change) => startsWithBytes(change.key, this.prefix));
    if (changes.length === 0) {
      // The feed covers the whole keyspace: nothing changed here up to this revision.
      this.ring.advanceTo(batch.revision);
      return;
    }
    this.ring.push(changes);
    this.changedSinceTick = true;
    this.broadcast({ kind: "changes", changes });
  }

  private fellBehindCompaction(compactRevision: number): void {
    // Changes between the last one received and the compaction are gone. Everyone is told, and
    // the feed goes on from the oldest revision etcd still has.
    this.lastRevision = Math.max(this.lastRevision, compactRevision - 1);
    this.ring.reset(this.lastRevision);
    this.broadcast({ kind: "compacted", compactRevision, revision: this.lastRevision });
  }

  private feedStateChanged(state: WatchState): void {
    if (state.state === "reconnecting") {
      this.reconnecting = state;
      this.broadcast(this.reconnectingMessage(state));
    } else if (state.state === "live" && this.reconnecting) {
      this.reconnecting = null;
      this.broadcast({ kind: "live", revision: this.lastRevision });
    }
  }

  private reconnectingMessage(state: Extract<WatchState, { state: "reconnecting" }>): HubMessage {
    return { kind: "reconnecting", reason: state.lastError, retryInMs: Math.max(0, state.nextRetryAt - Date.now()) };
  }

  private heartbeat(): void {
    for (const subscriber of this.subscribers) this.deliverNow(subscriber, { kind: "heartbeat" });
  }

  /** Periodic: an idle prefix tells its subscribers how far the feed has seen etcd. */
  private tick(): void {
    if (this.changedSinceTick) {
      this.changedSinceTick = false;
      return;
    }
    // While the feed reconnects the hub has not seen etcd: repeating its revision as progress
    // would claim it had.
    if (this.subscribers.size > 0 && !this.reconnecting) this.broadcast({ kind: "progress", revision: this.lastRevision });
  }

  private async catchUp(subscriber: Subscriber, after: number, through: number, buffered: WatchChange[]): Promise<void> {
    let first: HubMessage = { kind: "reset", reason: `more changed since revision ${after} than the server replays`, revision: through };
    if (through - after <= this.settings.maxCatchUpRevisions) {
      try {
        const result = await this.replayGap(after, through, buffered[0]?.revision);
        if (result.kind === "compacted") first = { kind: "compacted", compactRevision: result.compactRevision, revision: through };
        else if (result.kind === "changes") first = { kind: "changes", changes: result.changes };
      } catch (error) {
        this.drop(subscriber, error instanceof Error ? error.message : "catching up failed");
        return;
      }
    }
    if (subscriber.closed) return;
    const pending = subscriber.pending ?? [];
    subscriber.pending = null;
    for (const message of [first, { kind: "changes", changes: buffered } as const, ...pending]) {
      if (!this.deliver(subscriber, message)) return;
    }
  }

  /**
   * The prefix's changes in (after, through]. With a change in the prefix known above `through`
   * the replay watches the prefix alone and ends on that change; otherwise it reads the whole
   * keyspace, where the revision `through` itself has an event and so ends the replay.
   */
  private async replayGap(
    after: number,
    through: number,
    knownChangeRevision: number | undefined,
  ): Promise<{ kind: "changes"; changes: WatchChange[] } | { kind: "compacted"; compactRevision: number } | { kind: "too_large" }> {
    const bounded = knownChangeRevision !== undefined;
    const result = await replayRevisions(this.connection, {
      range: bounded ? rangeOfPrefix(this.prefix) : WHOLE_KEYSPACE,
      keep: bounded ? undefined : (key) => startsWithBytes(key, this.prefix),
      fromRevision: after + 1,
      through,
      stopAt: knownChangeRevision ?? through,
      maxEvents: this.settings.maxCatchUpScanned,
      maxBytes: this.settings.maxCatchUpBytes,
      timeoutMs: this.settings.catchUpTimeoutMs,
    });
    if (result.kind !== "events") return result.kind === "compacted" ? result : { kind: "too_large" };
    return { kind: "changes", changes: toChangeBatches(result.events).flatMap((batch) => batch.changes) };
  }

  private broadcast(message: HubMessage): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.pending) {
        subscriber.pending.push(message);
        if (subscriber.pending.length > this.settings.maxPendingMessages) this.drop(subscriber, "too far behind");
      } else {
        this.deliver(subscriber, message);
      }
    }
  }

  /** Sends a message unless it repeats changes the subscriber has; false when it was dropped. */
  private deliver(subscriber: Subscriber, message: HubMessage): boolean {
    if (subscriber.closed) return false;
    if (message.kind === "changes") {
      const fresh = message.changes.filter((change) => change.revision > subscriber.sentThrough);
      if (fresh.length === 0) return true;
      subscriber.sentThrough = fresh[fresh.length - 1].revision;
      return this.deliverNow(subscriber, { kind: "changes", changes: fresh });
    }
    if (message.kind === "compacted" || message.kind === "reset") {
      subscriber.sentThrough = Math.max(subscriber.sentThrough, message.revision);
    }
    if (message.kind === "progress" || message.kind === "live") {
      return this.deliverNow(subscriber, { ...message, revision: Math.max(message.revision, subscriber.sentThrough) });
    }
    return this.deliverNow(subscriber, message);
  }

  private deliverNow(subscriber: Subscriber, message: HubMessage): boolean {
    if (subscriber.closed) return false;
    if (subscriber.sink.send(message)) return true;
    this.drop(subscriber, "the subscriber is not reading fast enough");
    return false;
  }

  private drop(subscriber: Subscriber, reason: string): void {
    if (subscriber.closed) return;
    this.unsubscribe(subscriber);
    subscriber.sink.dropped(reason);
  }

  private unsubscribe(subscriber: Subscriber): void {
    if (subscriber.closed) return;
    subscriber.closed = true;
    subscriber.pending = null;
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (this.subscribers.size === 0) this.close();
    }, this.settings.graceMs);
    this.graceTimer.unref();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.feed?.close();
    this.feed = null;
    this.onClosed();
  }
}

// Cached on globalThis so that Next's dev-mode module reloading does not make a second hub.
const globalHubs = globalThis as unknown as { etcdlensWatchHubs?: Map<ClusterConnection, Map<string, WatchHub>> };

/** The hub for a prefix, made on first use; it closes itself a while after its last subscriber. */
export function getWatchHub(connection: ClusterConnection, prefix: Uint8Array): WatchHub {
  const all = (globalHubs.etcdlensWatchHubs ??= new Map());
  let hubs = all.get(connection);
  if (!hubs) {
    hubs = new Map();
    all.set(connection, hubs);
  }
  const name = Buffer.from(prefix).toString("latin1");
  const existing = hubs.get(name);
  if (existing && !existing.isClosed) return existing;
  const hub = new WatchHub(connection, Uint8Array.from(prefix), () => {
    if (hubs.get(name) === hub) hubs.delete(name);
    if (hubs.size === 0) all.delete(connection);
  });
  hubs.set(name, hub);
  return hub;
}

export type WatchHubStats = {
  /** etcd watch streams the dashboard holds now, on every cluster (see getWatchStats). */
  etcdWatches: number;
  hubs: number;
  subscribers: number;
  perHub: ReturnType<WatchHub["stats"]>[];
};

/** What the hubs hold now, for tests and diagnostics. */
export function getWatchHubStats(): WatchHubStats {
  const perHub = [...(globalHubs.etcdlensWatchHubs?.values() ?? [])].flatMap((hubs) => [...hubs.values()].map((hub) => hub.stats()));
  return {
    etcdWatches: getWatchStats().streams,
    hubs: perHub.length,
    subscribers: perHub.reduce((sum, hub) => sum + hub.subscribers, 0),
    perHub,
  };
}
