import "server-only";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { IEvent } from "etcd3";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { isCompactedError } from "@/lib/etcd/errors";
import { range, toKeyValue, type KeyValue } from "@/lib/etcd/kv";
import { getCompactRevision, readCurrentRevision, ResumableWatch, WHOLE_KEYSPACE, type RevisionBatch } from "@/lib/etcd/watch";
import { FIRST_PAGE_KEYS, nextPageLimit } from "./baseline-pages";
import { estimateTimes } from "./clock-hints";
import { ArchiveClusterMismatchError, RecorderLockLostError, type ArchivedEvent, type ArchivedRevision, type ArchiveStore } from "./store";
import { ARCHIVE_EVERY_KEY, keyFilterMatcher, type ArchiveKeyFilter } from "./key-filter";
import { retainsLimited, type Retention } from "./retention";

// The archive recorder: follows a cluster's whole keyspace and stores every revision, so that
// history outlives etcd's compaction. It only reads etcd (Range and Watch).
//
// Exactly one recorder per cluster records at a time: it holds the store's recorder lock, renews
// it every third of its TTL, and stops at once when it loses it (every write names the holder,
// so a recorder that lost the lock cannot write). The others stand by and try again.
//
// Where it starts: after the last revision the store holds whole. On a cluster it has never
// recorded, it first stores a baseline (every key's value at one pinned revision, read in pages)
// and then etcd's own retained history from the compaction revision on, so the versions etcd
// still keeps are not lost to the archive's start. Over the whole keyspace every revision has
// at least one event, so the last revision stored is exactly how far the archive has seen etcd;
// with include/exclude prefixes the watch still covers the whole keyspace (one stream) and a
// revision with no archived key is stored with no event, so that stays true.
// When etcd compacted past that point (the recorder was down meanwhile), the lost revisions are
// recorded as a gap and a fresh baseline is taken: the archive invents nothing.
// A retention (ETCDLENS_ARCHIVE_RETENTION) is applied by the recorder that holds the lock, after it
// starts and every 10 minutes, in bounded batches that take turns with storing.
//
// The stream it follows is the watch module's ResumableWatch on the budget's "archive" slot.

const DEFAULT_LOCK_TTL_MS = 10_000;
/** How often a standby recorder asks for the lock at most. */
const STANDBY_RETRY_MS = 1_000;
/** Revisions are stored in transactions of about this many events (fewer commits, same atomicity per revision). */
const EVENTS_PER_TRANSACTION = 2_000;
const BYTES_PER_TRANSACTION = 8 * 1024 * 1024;
/** When the store falls this far behind, the watch is paused until it catches up (bounded memory). */
const MAX_QUEUED_EVENTS = 100_000;
/** And this many bytes of keys and values: 100,000 events of 1 MiB ConfigMaps would not fit in memory. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const STORE_RETRY_MS = 1_000;
/** How often a recorder refused for pointing at another etcd cluster than its archive's looks again. */
const MISMATCH_RETRY_MS = 30_000;
/** How often the retention is applied (and once right after the recorder starts recording). */
const PRUNE_INTERVAL_MS = 10 * 60_000;
/**
 * The pause between two prune batches while the retention asks for more. The batches are small (on
 * SQLite one holds the process's event loop for about 50 ms, see PRUNE_BATCH_VERSIONS there), and
 * the recorder sleeps between them, so requests and arriving revisions are served in between; a
 * pause about as long as a batch leaves them at least half the time without slowing pruning tenfold.
 */
export const PRUNE_PAUSE_MS = 50;

export type RecorderState =
  | { state: "starting" }
  | { state: "standby"; holder: string }
  | { state: "baseline"; revision: number }
  | { state: "recording"; lastRevision: number }
  | { state: "failing"; error: string }
  | { state: "stopped" };

export type RecorderOptions = {
  /** The cluster's name in the archive (the configured cluster name). */
  cluster: string;
  connection: ClusterConnection;
  store: ArchiveStore;
  /** Who records, as the lock row names it; unique per process by default. */
  holder?: string;
  lockTtlMs?: number;
  /** Which keys are stored (the cluster's include/exclude prefixes); every key by default. */
  keys?: ArchiveKeyFilter;
  /** What the archive keeps of this cluster (ETCDLENS_ARCHIVE_RETENTION); everything by default. */
  retention?: Retention;
  onState?: (state: RecorderState) => void;
  log?: (message: string) => void;
  /** Bytes of keys and values read from etcd and not stored yet at most (before etcd is read on); 64 MiB by default. */
  maxQueuedBytes?: number;
};

type QueueItem =
  { kind: "revision"; revision: ArchivedRevision; events: number; bytes: number } | { kind: "gap"; from: number; to: number };

class LockLost extends Error {}

export class ArchiveRecorder {
  readonly holder: string;
  private readonly ttlMs: number;
  private stateNow: RecorderState = { state: "starting" };
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastStored = 0;

  constructor(private readonly options: RecorderOptions) {
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.ttlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  get state(): RecorderState {
    return this.stateNow;
  }

  /** The last revision this recorder stored whole (0 before it has). */
  get lastStoredRevision(): number {
    return this.lastStored;
  }

  /** Events of live revisions stored since it started (baselines not counted): the metrics' events/s. */
  get eventsStored(): number {
    return this.storedEvents;
  }

  private storedEvents = 0;

  /** What it has read from etcd and not stored yet. */
  get backlog(): { events: number; bytes: number } {
    return { ...this.queued };
  }

  /** @internal for the session */
  queued = { events: 0, bytes: 0 };

  start(): void {
    this.running ??= this.run();
  }

  /** Stores what has arrived, gives the lock up and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.setState({ state: "stopped" });
  }

  private async run(): Promise<void> {
    const { store, cluster } = this.options;
    while (!this.stopped) {
      let locked: boolean;
      try {
        locked = await store.tryLockRecorder(cluster, this.holder, this.ttlMs);
      } catch (error) {
        this.fail(error);
        await this.sleep(STORE_RETRY_MS);
        continue;
      }
      if (!locked) {
        this.setState({ state: "standby", holder: this.holder });
        await this.sleep(Math.min(STANDBY_RETRY_MS, this.ttlMs / 3));
        continue;
      }
      try {
        await new Session(this, this.options, this.ttlMs).record();
      } catch (error) {
        if (error instanceof LockLost || error instanceof RecorderLockLostError) {
          this.log(`lost the archive lock of cluster "${cluster}"; standing by`);
          continue;
        }
        if (error instanceof ArchiveClusterMismatchError) {
          // Not a passing failure: it lasts until an operator points the name back or renames it.
          this.fail(error);
          await store.releaseRecorderLock(cluster, this.holder).catch(() => undefined);
          await this.sleep(MISMATCH_RETRY_MS);
          continue;
        }
        this.fail(error);
        await this.sleep(STORE_RETRY_MS);
      }
    }
    await store.releaseRecorderLock(cluster, this.holder).catch(() => undefined);
  }

  /** @internal for the session */
  isStopped(): boolean {
    return this.stopped;
  }

  /** @internal */
  stored(revision: number, events = 0): void {
    this.storedEvents += events;
    this.lastStored = Math.max(this.lastStored, revision);
    this.setState({ state: "recording", lastRevision: this.lastStored });
  }

  /** @internal */
  setState(state: RecorderState): void {
    this.stateNow = state;
    this.options.onState?.(state);
  }

  /** @internal A wait that stop() or wakeUp() ends early (one at a time: the recorder does one thing at a time). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  /** @internal */
  wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** @internal */
  log(message: string): void {
    this.options.log?.(message);
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`archive recorder of cluster "${this.options.cluster}": ${message}`);
    this.setState({ state: "failing", error: message });
  }
}

/** One stretch of recording while holding the lock. */
class Session {
  private readonly queue: QueueItem[] = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private lastQueued = 0;
  private lastArrival = 0;
  private historicalThrough = 0;
  private watch: ResumableWatch | null = null;
  private lockLost = false;
  private lastRenewed = Date.now();
  private readonly archives: (key: Buffer) => boolean;
  /** When the retention is applied next (0: at once); Infinity without one, or until the first catch-up. */
  private pruneAt = Infinity;
  private readonly retains: boolean;
  private prunedLast = false;

  constructor(
    private readonly recorder: ArchiveRecorder,
    private readonly options: RecorderOptions,
    private readonly ttlMs: number,
  ) {
    this.archives = keyFilterMatcher(options.keys ?? ARCHIVE_EVERY_KEY);
    this.retains = retainsLimited(options.retention);
  }

  async record(): Promise<void> {
    const renewal = setInterval(() => void this.renew(), this.ttlMs / 3);
    renewal.unref();
    try {
      await this.follow();
    } finally {
      clearInterval(renewal);
      this.watch?.stop();
      this.watch = null;
      // What this session had read and not stored is read again by the next one.
      this.recorder.queued = { events: 0, bytes: 0 };
    }
  }

  private async follow(): Promise<void> {
    const { store, cluster, connection } = this.options;
    // The archive of this name is of one etcd cluster: one the name now points at another is refused.
    await store.bindEtcdCluster(cluster, this.recorder.holder, (await getClusterHeader(connection)).clusterId);
    let after = await store.lastRecordedRevision(cluster);
    if (after === 0) {
      // Stopped meanwhile: nothing was recorded whole yet, so the next start simply begins again.
      if ((await this.takeBaseline({ abortOnStop: true })) === null) return;
      // etcd's retained history, from the oldest revision it still has.
      const compactRevision = await getCompactRevision(connection, { fresh: true });
      after = Math.max(compactRevision, 1) - 1;
    }
    // Revisions etcd had before the watch began are history; only later ones arrive live.
    this.historicalThrough = await readCurrentRevision(connection);
    this.startWatch(after);
    // "recording" from here on: every revision written from now is stamped with its arrival.
    this.recorder.stored(after);
    while (!this.recorder.isStopped() || this.queue.length > 0) {
      this.checkLock();
      if (this.recorder.isStopped() && this.watch) {
        // Stopping: what has arrived is stored, nothing more is read.
        this.watch.stop();
        this.watch = null;
      }
      // The retention's batches take turns with storing, so neither waits long for the other.
      if (!this.prunedLast && !this.recorder.isStopped() && Date.now() >= this.pruneAt) {
        this.prunedLast = true;
        await this.pruneBatch();
        continue;
      }
      this.prunedLast = false;
      if (this.queue.length === 0) {
        // First once caught up with what etcd held when the watch began: the backlog counts towards the size.
        if (this.retains && this.pruneAt === Infinity && this.recorder.lastStoredRevision >= this.historicalThrough) this.pruneAt = 0;
        if (Date.now() < this.pruneAt || this.recorder.isStopped()) await this.recorder.sleep(Math.min(1_000, this.pruneAt - Date.now()));
        continue;
      }
      const head = this.queue[0];
      if (head.kind === "gap") {
        // A recorder started later meets the same compaction and records the gap then.
        if (this.recorder.isStopped()) return;
        await store.recordGap(cluster, this.recorder.holder, head.from, head.to);
        this.recorder.log(`cluster "${cluster}": revisions ${head.from} to ${head.to} were compacted before they were recorded`);
        this.queue.shift();
        // Not cut short by a stop: the revisions after the gap need the state the baseline gives.
        await this.takeBaseline({ abortOnStop: false });
        continue;
      }
      await this.storeQueued();
      if (
        !this.watch &&
        !this.recorder.isStopped() &&
        this.queuedEvents < MAX_QUEUED_EVENTS / 2 &&
        this.queuedBytes < this.maxQueuedBytes / 2
      )
        this.startWatch(this.lastQueued);
    }
  }

  private startWatch(after: number): void {
    const { connection } = this.options;
    this.lastQueued = after;
    const watch: ResumableWatch = new ResumableWatch(connection, {
      purpose: "archive",
      range: WHOLE_KEYSPACE,
      after,
      // A watch paused or stopped may still be unwinding: only the current one is listened to.
      onBatch: (batch) => {
        if (this.watch === watch) this.enqueue(batch);
      },
      onCompacted: (compactRevision) => {
        if (this.watch !== watch) return;
        // Revisions after the last one queued and before the compaction are gone.
        if (this.lastQueued + 1 <= compactRevision - 1)
          this.queue.push({ kind: "gap", from: this.lastQueued + 1, to: compactRevision - 1 });
        this.lastQueued = Math.max(this.lastQueued, compactRevision - 1);
        this.recorder.wakeUp();
      },
    });
    this.watch = watch;
    watch.start();
  }

  private enqueue(batch: RevisionBatch): void {
    let arrivedAt: number | null = null;
    if (batch.revision > this.historicalThrough) {
      // Never earlier than the revision before it, whatever the wall clock does.
      arrivedAt = Math.max(Date.now(), this.lastArrival);
      this.lastArrival = arrivedAt;
    }
    // A revision without a key the cluster archives is still stored (with no event): the last
    // revision stored must keep saying how far the archive has seen etcd.
    const events = batch.events.map(toArchivedEvent).filter((event) => this.archives(event.key));
    const bytes = events.reduce((sum, event) => sum + event.key.length + event.value.length, 0);
    this.queue.push({ kind: "revision", revision: { revision: batch.revision, arrivedAt, events }, events: events.length, bytes });
    this.queuedEvents += events.length;
    this.queuedBytes += bytes;
    this.noteBacklog();
    this.lastQueued = batch.revision;
    if ((this.queuedEvents > MAX_QUEUED_EVENTS || this.queuedBytes > this.maxQueuedBytes) && this.watch) {
      // The store is behind: stop reading etcd until it has caught up, then resume where the queue ends.
      this.watch.stop();
      this.watch = null;
    }
    this.recorder.wakeUp();
  }

  /** Stores the revisions at the head of the queue (up to the next gap) in one transaction, retrying while the store fails. */
  private async storeQueued(): Promise<void> {
    const { store, cluster } = this.options;
    const take: ArchivedRevision[] = [];
    let events = 0;
    let bytes = 0;
    for (const item of this.queue) {
      if (item.kind !== "revision") break;
      if (take.length > 0 && (events + item.events > EVENTS_PER_TRANSACTION || bytes + item.bytes > BYTES_PER_TRANSACTION)) break;
      take.push(item.revision);
      events += item.events;
      bytes += item.bytes;
    }
    // When revisions etcd held before this recorder happened, told by the clocks in their values.
    const estimates = estimateTimes(take.filter((revision) => revision.arrivedAt === null).flatMap((revision) => revision.events));
    for (;;) {
      this.checkLock();
      try {
        // Estimates first: a crash between the two leaves estimates for revisions read again on restart, never revisions without.
        await store.appendTimeEstimates(cluster, this.recorder.holder, estimates);
        await store.appendRevisions(cluster, this.recorder.holder, take);
        break;
      } catch (error) {
        if (error instanceof RecorderLockLostError) throw error;
        // Stopping with the store down: these revisions are read from etcd again on the next start.
        if (this.recorder.isStopped()) {
          this.queue.length = 0;
          this.queuedEvents = 0;
          this.queuedBytes = 0;
          this.noteBacklog();
          return;
        }
        this.recorder.log(
          `storing revisions of cluster "${cluster}" failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS).unref());
      }
    }
    this.queue.splice(0, take.length);
    this.queuedEvents -= events;
    this.queuedBytes -= bytes;
    this.noteBacklog();
    this.recorder.stored(take[take.length - 1].revision, events);
  }

  private get maxQueuedBytes(): number {
    return this.options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  }

  private noteBacklog(): void {
    this.recorder.queued = { events: this.queuedEvents, bytes: this.queuedBytes };
  }

  /** Every key's value at one pinned revision, in pages; pinned again if etcd compacts past it meanwhile. Null when stopped first. */
  private async takeBaseline({ abortOnStop }: { abortOnStop: boolean }): Promise<number | null> {
    const { store, cluster, connection } = this.options;
    for (;;) {
      const pinned = await readCurrentRevision(connection);
      this.recorder.setState({ state: "baseline", revision: pinned });
      try {
        let from = WHOLE_KEYSPACE.key;
        let limit = FIRST_PAGE_KEYS;
        let largest = 0;
        for (;;) {
          this.checkLock();
          if (abortOnStop && this.recorder.isStopped()) return null;
          const page = await range(connection, { key: from, rangeEnd: WHOLE_KEYSPACE.rangeEnd, revision: pinned, limit });
          if (page.kvs.length > 0) {
            const versions = page.kvs.map(toBaselineVersion);
            await store.appendTimeEstimates(cluster, this.recorder.holder, estimateTimes(versions));
            // Every key's clock helps the time estimates; only the keys the cluster archives are stored.
            const kept = versions.filter((version) => this.archives(version.key));
            if (kept.length > 0) await store.appendBaseline(cluster, this.recorder.holder, pinned, kept);
          }
          if (!page.more || page.kvs.length === 0) break;
          for (const kv of page.kvs) largest = Math.max(largest, kv.key.length + kv.value.length);
          limit = nextPageLimit(largest);
          // The next key after the last one read: the same bytes followed by a zero byte.
          from = Buffer.concat([page.kvs[page.kvs.length - 1].key, Buffer.from([0])]);
        }
        await store.finishBaseline(cluster, this.recorder.holder, pinned);
        return pinned;
      } catch (error) {
        if (!isCompactedError(error)) throw error;
      }
    }
  }

  /** One batch of the retention; the next is due shortly while the retention asks for more. */
  private async pruneBatch(): Promise<void> {
    const { store, cluster, retention } = this.options;
    try {
      const result = await store.prune(cluster, this.recorder.holder, { olderThanMs: retention?.maxAgeMs, maxBytes: retention?.maxBytes });
      if (result.removedVersions > 0) {
        this.recorder.log(
          `cluster "${cluster}": retention removed ${result.removedVersions} versions, archive starts at revision ${result.firstRevision}`,
        );
      }
      this.pruneAt = Date.now() + (result.done ? PRUNE_INTERVAL_MS : PRUNE_PAUSE_MS);
    } catch (error) {
      if (error instanceof RecorderLockLostError) throw error;
      this.recorder.log(
        `applying the retention of cluster "${cluster}" failed (${error instanceof Error ? error.message : String(error)}); trying again later`,
      );
      this.pruneAt = Date.now() + PRUNE_INTERVAL_MS;
    }
  }

  private async renew(): Promise<void> {
    const { store, cluster } = this.options;
    try {
      if (await store.renewRecorderLock(cluster, this.recorder.holder, this.ttlMs)) this.lastRenewed = Date.now();
      else this.loseLock();
    } catch {
      // The store did not answer: past the TTL another recorder may have taken over.
      if (Date.now() - this.lastRenewed > this.ttlMs) this.loseLock();
    }
  }

  private loseLock(): void {
    this.lockLost = true;
    this.watch?.stop();
    this.watch = null;
    this.recorder.wakeUp();
  }

  private checkLock(): void {
    if (this.lockLost) throw new LockLost();
  }
}

function toBaselineVersion(kv: KeyValue): ArchivedEvent {
  return {
    type: "PUT",
    key: Buffer.from(kv.key),
    revision: kv.modRevision,
    createRevision: kv.createRevision,
    version: kv.version,
    lease: kv.lease,
    value: kv.value,
  };
}

function toArchivedEvent(event: IEvent): ArchivedEvent {
  const kv = toKeyValue(event.kv);
  if (event.type === "Delete") {
    return {
      type: "DELETE",
      key: Buffer.from(kv.key),
      revision: kv.modRevision,
      createRevision: 0,
      version: 0,
      lease: "0",
      value: Buffer.alloc(0),
    };
  }
  return toBaselineVersion(kv);
}
