import "server-only";
import type { IWatchResponse } from "etcd3";
import type { ClusterConnection } from "../client";
import { range } from "../kv";
import { FolderTree } from "./folder-tree";
import { scanIntoTree, type ScanOptions, type ScanProgress } from "./scan";

// The folder index of one cluster: built once from a keys-only pass pinned to revision R, then
// kept exact by a watch over the whole keyspace from R + 1. A create is a PUT with version 1, a
// deletion (lease expiry included) a DELETE; updates change no folder. The watch is the raw
// stream: it reports compact_revision when etcd no longer has the events the index needs (then
// the index is rebuilt), and the revision to resume from after a broken stream is tracked here,
// from the events themselves, never from response headers, which carry the store's current
// revision even while a replay is still catching up.

const PROBE_KEY = Buffer.from("\u0000etcdlens/revision-probe");
const RESUME_GIVE_UP_MS = 30_000;

export type IndexStatus =
  | { state: "idle" }
  | { state: "building"; revision: number; keysScanned: number; startedAt: number }
  | { state: "ready"; revision: number; folders: number; keys: number; builtInMs: number; builds: number };

export type ReadyIndex = {
  tree: FolderTree;
  revision: number;
  /** False when the watch had not reached etcd's current revision within the wait. */
  caughtUp: boolean;
};

type Waiter = { revision: number; resolve: () => void };

/** The cluster's current revision, from the cheapest request etcd answers with a header. */
export async function readCurrentRevision(connection: ClusterConnection): Promise<number> {
  const response = await range(connection, { key: PROBE_KEY, countOnly: true });
  return response.header.revision;
}

export class FolderIndex {
  private tree: FolderTree | null = null;
  private revision = 0;
  private building: Promise<void> | null = null;
  private progress: ScanProgress & { revision: number; startedAt: number } = { keysScanned: 0, revision: 0, startedAt: 0 };
  private generation = 0;
  private builds = 0;
  private builtInMs = 0;
  private stream: Awaited<ReturnType<ClusterConnection["client"]["watchClient"]["watch"]>> | null = null;
  private waiters: Waiter[] = [];
  private stopped = false;
  private brokenSince = 0;
  private paused = false;
  private scanOptions: ScanOptions = {};

  constructor(private readonly connection: ClusterConnection) {}

  status(): IndexStatus {
    if (this.tree) {
      return {
        state: "ready",
        revision: this.revision,
        folders: this.tree.folderCount,
        keys: this.tree.root.keyCount,
        builtInMs: this.builtInMs,
        builds: this.builds,
      };
    }
    if (this.building) return { state: "building", ...this.progress };
    return { state: "idle" };
  }

  /**
   * The index at the cluster's current revision (or as close as the watch gets within
   * `catchUpMs`), or null while it is still being built after `buildWaitMs`. A failed build
   * rejects here and is retried by the next call.
   */
  async acquire(options: { buildWaitMs: number; catchUpMs: number }): Promise<ReadyIndex | null> {
    if (!this.tree) {
      // Settles as a value either way, so a build that fails after the wait rejects nobody.
      const outcome = this.startBuild().then(
        () => ({ failed: false as const }),
        (error: unknown) => ({ failed: true as const, error }),
      );
      const settled = await Promise.race([outcome, delay(options.buildWaitMs).then(() => null)]);
      if (settled?.failed) throw settled.error;
      if (!settled || !this.tree) return null;
    }
    const current = await readCurrentRevision(this.connection);
    const caughtUp = this.revision >= current || (await this.waitForRevision(current, options.catchUpMs));
    return this.tree ? { tree: this.tree, revision: this.revision, caughtUp } : null;
  }

  /** Resolves once the index has applied every event up to `revision`, or after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.tree && this.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { revision, resolve: () => resolve(true) };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs).unref();
    });
  }

  /** Drops the index and builds it again, as after a compaction (tests use it to force one). */
  rebuild(): Promise<void> {
    this.reset();
    return this.startBuild();
  }

  /** How builds page through the keyspace; tests use tiny pages so a small keyspace takes many ranges. */
  setScanOptions(options: ScanOptions): void {
    this.scanOptions = options;
  }

  /** Stops following etcd but keeps the tree, as a watch that lags would (for tests). */
  pauseWatch(): void {
    this.paused = true;
    this.closeStream();
  }

  /** Follows etcd again from the last applied revision; a compaction in between forces a rebuild. */
  resumeWatch(): void {
    this.paused = false;
    const generation = this.generation;
    if (this.tree && !this.stream) void this.follow(generation).catch(() => this.reset());
  }

  stop(): void {
    this.stopped = true;
    this.reset();
  }

  private reset(): void {
    this.generation += 1;
    this.tree = null;
    this.building = null;
    this.closeStream();
  }

  private startBuild(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error("the folder index was stopped"));
    this.building ??= this.build().catch((error: unknown) => {
      this.building = null;
      throw error;
    });
    return this.building;
  }

  private async build(): Promise<void> {
    const generation = ++this.generation;
    const startedAt = Date.now();
    const revision = await readCurrentRevision(this.connection);
    this.progress = { keysScanned: 0, revision, startedAt };
    const tree = new FolderTree();
    await scanIntoTree(this.connection, tree, revision, this.progress, () => generation !== this.generation, this.scanOptions);
    if (generation !== this.generation) return;
    this.tree = tree;
    this.revision = revision;
    this.builds += 1;
    this.builtInMs = Date.now() - startedAt;
    this.building = null;
    if (!this.paused) await this.follow(generation);
    this.settleWaiters();
  }

  private async follow(generation: number): Promise<void> {
    const stream = await this.connection.client.watchClient.watch();
    if (generation !== this.generation) {
      cancelQuietly(stream);
      return;
    }
    this.stream = stream;
    let fragments: NonNullable<IWatchResponse["events"]> = [];
    stream.on("data", (response: IWatchResponse) => {
      if (generation !== this.generation) return;
      this.brokenSince = 0;
      if (Number(response.compact_revision ?? 0) > 0 || response.canceled) {
        // The events the index needs are gone (or etcd dropped the watch): start over.
        void this.rebuild().catch(() => undefined);
        return;
      }
      if (response.created) return;
      fragments = fragments.concat(response.events ?? []);
      if (response.fragment) return;
      const events = fragments;
      fragments = [];
      // Responses without events (progress reports) are ignored: etcd 3.4 answers a progress
      // request at once with the store's revision even while the watcher is still replaying, and
      // every revision of a whole-keyspace watch arrives as events anyway.
      if (events.length > 0) this.apply(events);
    });
    const onBroken = () => {
      if (generation !== this.generation || this.paused) return;
      this.stream = null;
      this.brokenSince ||= Date.now();
      if (Date.now() - this.brokenSince > RESUME_GIVE_UP_MS) {
        this.reset();
        return;
      }
      setTimeout(() => {
        if (generation === this.generation) void this.follow(generation).catch(onBroken);
      }, 500).unref();
    };
    stream.on("error", onBroken);
    stream.on("end", onBroken);
    stream.write({
      create_request: {
        key: Buffer.from([0]),
        range_end: Buffer.from([0]),
        start_revision: this.revision + 1,
        fragment: true,
      },
    });
  }

  private apply(events: NonNullable<IWatchResponse["events"]>): void {
    const tree = this.tree;
    if (!tree) return;
    let last = this.revision;
    for (const event of events) {
      const revision = Number(event.kv.mod_revision);
      // A resumed stream may repeat a revision that was already applied.
      if (revision <= this.revision) continue;
      const key = event.kv.key.toString("latin1");
      if (event.type === "Delete") {
        if (!tree.removeKey(key)) {
          void this.rebuild().catch(() => undefined);
          return;
        }
      } else if (Number(event.kv.version) === 1) {
        tree.addKey(key);
      }
      last = Math.max(last, revision);
    }
    this.advanceTo(last);
  }

  private advanceTo(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (!this.tree) return;
    const due = this.waiters.filter((waiter) => waiter.revision <= this.revision);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.revision > this.revision);
    for (const waiter of due) waiter.resolve();
  }

  private closeStream(): void {
    if (this.stream) cancelQuietly(this.stream);
    this.stream = null;
  }
}

// The stream's listeners stay attached and ignore whatever comes after a newer generation began.
function cancelQuietly(stream: { cancel: () => void }): void {
  try {
    stream.cancel();
  } catch {
    // Already closed.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// On globalThis, like the connection itself: Next may load this module more than once (the boot
// hook in instrumentation.ts and the route handlers are bundled apart), and two indexes of one
// cluster would mean two builds and two watches.
const globalCache = globalThis as unknown as { etcdlensFolderIndexes?: WeakMap<ClusterConnection, FolderIndex> };
const indexes = (globalCache.etcdlensFolderIndexes ??= new WeakMap());

/** The folder index of a connection, created on first use and kept with it. */
export function getFolderIndex(connection: ClusterConnection): FolderIndex {
  let index = indexes.get(connection);
  if (!index) {
    index = new FolderIndex(connection);
    indexes.set(connection, index);
  }
  return index;
}
