import "server-only";
import type { IWatchResponse } from "etcd3";
import { keyToDisplay } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { toAppError } from "./errors";
import { range } from "./kv";
import { answersProgressInOrder } from "./progress-ordering";
import { catchUpChanges } from "./watch-catch-up";
import { ChangeRing } from "./watch-ring";
import {
  cancelQuietly,
  compactRevisionOf,
  openRawWatchStream,
  rangeOfPrefix,
  toWatchChange,
  type RawWatchStream,
  type WatchChange,
} from "./watch-stream";

// One etcd watch per watched prefix, shared by every browser that watches it. The hub follows the
// prefix on a raw watch stream, remembers the last revision it received, and after a broken
// stream reopens it from the next revision on another endpoint, so nothing is skipped. Recent
// changes stay in a bounded ring so that a browser resuming a little behind is served from
// memory; one further behind is caught up from etcd's history, within bounds, or told to reload.

export type WatchHubSettings = {
  /** The ring keeps at most this many recent changes... */
  bufferChanges: number;
  /** ...and at most this many key bytes. */
  bufferKeyBytes: number;
  /** How long a hub without subscribers keeps its etcd watch, for a browser that reconnects. */
  graceMs: number;
  heartbeatMs: number;
  /** How often an idle hub asks etcd how far it has got, for `progress` events. */
  progressMs: number;
  /** A stream that does not answer (create, progress) within this is taken as dead. */
  stallMs: number;
  maxBackoffMs: number;
  /** Catch-ups spanning more revisions than this are not attempted: the browser reloads. */
  maxCatchUpRevisions: number;
  maxCatchUpChanges: number;
  maxCatchUpScanned: number;
  catchUpTimeoutMs: number;
  /** Messages held for a subscriber while it catches up; more and it is dropped. */
  maxPendingMessages: number;
  /**
   * Whether progress answers come in order with events; undefined asks each member its version
   * (see progress-ordering.ts). Tests set it: the etcd they run predates ordered answers.
   */
  progressInOrder: boolean | undefined;
};

const settings: WatchHubSettings = {
  bufferChanges: 10_000,
  bufferKeyBytes: 8 * 1024 * 1024,
  graceMs: 5_000,
  heartbeatMs: 15_000,
  progressMs: 5_000,
  stallMs: 10_000,
  maxBackoffMs: 5_000,
  maxCatchUpRevisions: 100_000,
  maxCatchUpChanges: 20_000,
  maxCatchUpScanned: 200_000,
  catchUpTimeoutMs: 30_000,
  maxPendingMessages: 50_000,
  progressInOrder: undefined,
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

// etcd answers a progress request at once with the store's revision, on a path that is not
// ordered with the events; a change sent just before may still be on its way. A progress report
// waits this long for such a change before it is passed on.
const PROGRESS_SETTLE_MS = 250;

export class WatchHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly ring: ChangeRing;
  private readonly settings: WatchHubSettings = { ...settings };
  /** Every change in the prefix in (ring.floor, lastRevision] is in the ring. */
  private lastRevision = 0;
  private started: Promise<void> | null = null;
  private stream: RawWatchStream | null = null;
  private endpoint: string | null = null;
  private generation = 0;
  private attempt: number;
  private failures = 0;
  private awaitingAnswerSince = 0;
  private changedSinceTick = false;
  private progressCandidate = 0;
  /** The member the stream is on answers progress requests in order with its events (undefined: not known yet). */
  private progressInOrder: boolean | undefined = undefined;
  private timers: NodeJS.Timeout[] = [];
  private graceTimer: NodeJS.Timeout | undefined;
  private closed = false;
  reconnects = 0;

  constructor(
    private readonly connection: ClusterConnection,
    readonly prefix: Uint8Array,
    private readonly onClosed: () => void,
    firstAttempt: number,
  ) {
    this.ring = new ChangeRing(this.settings.bufferChanges, this.settings.bufferKeyBytes);
    this.attempt = firstAttempt;
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
    progressInOrder: boolean | null;
    subscribers: number;
    watching: boolean;
    lastRevision: number;
    buffered: number;
    reconnects: number;
  } {
    return {
      prefix: keyToDisplay(this.prefix),
      endpoint: this.endpoint,
      progressInOrder: this.progressInOrder ?? null,
      subscribers: this.subscribers.size,
      watching: this.stream !== null,
      lastRevision: this.lastRevision,
      buffered: this.ring.size,
      reconnects: this.reconnects,
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
    const { key, rangeEnd } = rangeOfPrefix(this.prefix);
    const { header } = await range(this.connection, { key, rangeEnd, countOnly: true });
    this.lastRevision = header.revision;
    this.ring.reset(header.revision);
    this.timers.push(setInterval(() => this.heartbeat(), this.settings.heartbeatMs));
    this.timers.push(setInterval(() => this.tick(), this.settings.progressMs));
    for (const timer of this.timers) timer.unref();
    void this.connect();
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let opened: Awaited<ReturnType<typeof openRawWatchStream>>;
    try {
      opened = await openRawWatchStream(this.connection, this.attempt);
    } catch {
      this.broken(generation);
      return;
    }
    if (generation !== this.generation || this.closed) {
      cancelQuietly(opened.stream);
      return;
    }
    const { stream, endpoint, client } = opened;
    this.stream = stream;
    this.endpoint = endpoint;
    this.awaitingAnswerSince = Date.now();
    this.progressInOrder = undefined;
    void this.learnProgressOrdering(generation, client);
    stream.on("data", (response: IWatchResponse) => {
      if (generation === this.generation) this.receive(response, generation);
    });
    stream.on("error", () => this.broken(generation));
    stream.on("end", () => this.broken(generation));
    const { key, rangeEnd } = rangeOfPrefix(this.prefix);
    stream.write({
      create_request: { key, range_end: rangeEnd, start_revision: this.lastRevision + 1, progress_notify: true },
    });
  }

  /** The stream failed or went silent: reopen it from the next revision on the next endpoint. */
  private broken(generation: number): void {
    if (generation !== this.generation || this.closed) return;
    this.generation += 1; // later error/end callbacks of the same stream are ignored
    if (this.stream) cancelQuietly(this.stream);
    this.stream = null;
    this.awaitingAnswerSince = 0;
    this.attempt += 1;
    this.failures += 1;
    this.reconnects += 1;
    // The first retry goes straight to the next endpoint; repeated failures back off.
    const delay = this.failures <= 1 ? 0 : Math.min(this.settings.maxBackoffMs, 100 * 2 ** (this.failures - 2));
    setTimeout(() => {
      if (!this.closed) void this.connect();
    }, delay).unref();
  }

  private receive(response: IWatchResponse, generation: number): void {
    this.awaitingAnswerSince = 0;
    const compactRevision = compactRevisionOf(response);
    if (compactRevision > 0) return this.fellBehindCompaction(compactRevision);
    if (response.canceled) return this.broken(generation);
    if (response.created) {
      this.failures = 0;
      return;
    }
    const events = response.events ?? [];
    const revision = Number(response.header?.revision ?? 0);
    if (events.length === 0) {
      if (String(response.watch_id) !== "-1") {
        // etcd's own progress notification travels with the events: nothing up to it is missing.
        this.advanceTo(revision);
      } else if (this.progressInOrder === true) {
        // Kept as the point to resume from: a reconnect after etcd compacted revisions that
        // changed nothing here then goes on without telling everyone about a compaction.
        this.advanceTo(revision);
        this.broadcast({ kind: "progress", revision: this.lastRevision });
      } else {
        this.noteProgressAnswer(revision);
      }
      return;
    }
    const changes = events.map(toWatchChange).filter((change) => change.revision > this.lastRevision);
    if (changes.length === 0) return;
    this.lastRevision = changes[changes.length - 1].revision;
    this.ring.push(changes);
    this.changedSinceTick = true;
    this.progressCandidate = 0;
    this.broadcast({ kind: "changes", changes });
  }

  private advanceTo(revision: number): void {
    if (revision <= this.lastRevision) return;
    this.lastRevision = revision;
    this.ring.advanceTo(revision);
  }

  /** Asks the member the stream is on for its version; until it answers, answers are not trusted. */
  private async learnProgressOrdering(generation: number, member: ClusterConnection["client"]): Promise<void> {
    const configured = this.settings.progressInOrder;
    if (configured !== undefined) {
      this.progressInOrder = configured;
      return;
    }
    try {
      const { version } = await member.maintenance.status({});
      if (generation === this.generation) this.progressInOrder = answersProgressInOrder(version);
    } catch {
      // The member did not say: its answers stay hints, as with an old etcd.
    }
  }

  private fellBehindCompaction(compactRevision: number): void {
    // Changes between the last one received and the compaction are gone. Everyone is told, and
    // the watch continues from the oldest revision etcd still has.
    const continuesAfter = compactRevision - 1;
    this.lastRevision = Math.max(this.lastRevision, continuesAfter);
    this.ring.reset(this.lastRevision);
    this.broadcast({ kind: "compacted", compactRevision, revision: this.lastRevision });
    this.generation += 1;
    if (this.stream) cancelQuietly(this.stream);
    this.stream = null;
    void this.connect();
  }

  private heartbeat(): void {
    for (const subscriber of this.subscribers) this.deliverNow(subscriber, { kind: "heartbeat" });
  }

  /** Periodic: notice a silent stream, and ask an idle one how far etcd has got. */
  private tick(): void {
    const stream = this.stream;
    if (!stream) return;
    if (this.awaitingAnswerSince && Date.now() - this.awaitingAnswerSince > this.settings.stallMs) {
      this.broken(this.generation);
      return;
    }
    if (this.changedSinceTick) {
      this.changedSinceTick = false;
      return;
    }
    if (this.subscribers.size === 0) return;
    this.awaitingAnswerSince ||= Date.now();
    stream.write({ progress_request: {} });
  }

  private noteProgressAnswer(revision: number): void {
    this.progressCandidate = revision;
    setTimeout(() => {
      if (this.progressCandidate !== revision || this.closed) return;
      this.progressCandidate = 0;
      this.broadcast({ kind: "progress", revision: Math.max(revision, this.lastRevision) });
    }, PROGRESS_SETTLE_MS).unref();
  }

  private async catchUp(subscriber: Subscriber, after: number, through: number, buffered: WatchChange[]): Promise<void> {
    let result: Awaited<ReturnType<typeof catchUpChanges>> | null = null;
    if (through - after <= this.settings.maxCatchUpRevisions) {
      try {
        result = await catchUpChanges(this.connection, {
          prefix: this.prefix,
          afterRevision: after,
          throughRevision: through,
          knownChangeRevision: buffered[0]?.revision,
          maxChanges: this.settings.maxCatchUpChanges,
          maxScanned: this.settings.maxCatchUpScanned,
          stallMs: this.settings.stallMs,
          timeoutMs: this.settings.catchUpTimeoutMs,
        });
      } catch (error) {
        this.drop(subscriber, error instanceof Error ? error.message : "catching up failed");
        return;
      }
    }
    if (subscriber.closed) return;
    const pending = subscriber.pending ?? [];
    subscriber.pending = null;
    const first: HubMessage =
      result === null || result.kind === "too_large"
        ? { kind: "reset", reason: `more changed since revision ${after} than the server replays`, revision: through }
        : result.kind === "compacted"
          ? { kind: "compacted", compactRevision: result.compactRevision, revision: through }
          : { kind: "changes", changes: result.changes };
    for (const message of [first, { kind: "changes", changes: buffered } as const, ...pending]) {
      if (!this.deliver(subscriber, message)) return;
    }
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
    if (message.kind === "progress") {
      return this.deliverNow(subscriber, { kind: "progress", revision: Math.max(message.revision, subscriber.sentThrough) });
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
    this.generation += 1;
    for (const timer of this.timers) clearInterval(timer);
    if (this.stream) cancelQuietly(this.stream);
    this.stream = null;
    this.onClosed();
  }
}

// Cached on globalThis so that Next's dev-mode module reloading does not open a second watch.
const globalHubs = globalThis as unknown as { etcdlensWatchHubs?: Map<ClusterConnection, Map<string, WatchHub>>; etcdlensWatchHubCount?: number };

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
  // Hubs start on different endpoints, so many prefixes do not all load one member.
  const count = (globalHubs.etcdlensWatchHubCount = (globalHubs.etcdlensWatchHubCount ?? 0) + 1);
  const hub = new WatchHub(
    connection,
    Uint8Array.from(prefix),
    () => {
      if (hubs.get(name) === hub) hubs.delete(name);
      if (hubs.size === 0) all.delete(connection);
    },
    count - 1,
  );
  hubs.set(name, hub);
  return hub;
}

export type WatchHubStats = {
  /** etcd watch streams open now (one per hub that is watching). */
  etcdWatches: number;
  hubs: number;
  subscribers: number;
  perHub: ReturnType<WatchHub["stats"]>[];
};

/** What the hubs hold now, for tests and diagnostics. */
export function getWatchHubStats(): WatchHubStats {
  const perHub = [...(globalHubs.etcdlensWatchHubs?.values() ?? [])].flatMap((hubs) => [...hubs.values()].map((hub) => hub.stats()));
  return {
    etcdWatches: perHub.filter((hub) => hub.watching).length,
    hubs: perHub.length,
    subscribers: perHub.reduce((sum, hub) => sum + hub.subscribers, 0),
    perHub,
  };
}
