import "server-only";
import type { ClusterConnection } from "../client";
import {
  getClusterFeed,
  readCurrentRevision,
  replayRevisions,
  toChangeBatches,
  WHOLE_KEYSPACE,
  type ChangeBatch,
  type FeedSubscription,
} from "../watch";
import { getClusterHeader } from "../cluster";
import { FolderTree } from "./folder-tree";
import { LargestValues, type LargeValue } from "./largest-values";
import { scanIntoTree, type ScanOptions, type ScanProgress } from "./scan";
import { SizeTable } from "./size-table";
import { runSizingPass, type SizingOptions, type SizingProgress } from "./sizing";
import { decodeFolderSnapshot, encodeFolderSnapshot } from "./snapshot";

// The folder index of one cluster: built once from a keys-only pass pinned to a revision R, then
// kept exact by applying the cluster feed's changes after R. A create is a PUT with version 1, a
// deletion (lease expiry included) a DELETE; updates change no folder. The index does not watch
// etcd itself: it consumes the cluster feed (lib/etcd/watch), which resumes after broken streams
// without skipping a revision. R is the revision the feed had delivered when the index subscribed,
// so every change after R reaches the index exactly once; changes arriving while the pass runs
// are held (bounded) and applied after it. A compaction the feed could not follow, or more held
// changes than the bound, means the index no longer knows every change: it is rebuilt.
//
// With a keeper (the archive, lib/archive/folder-index-store.ts) the index is saved now and then
// with its revision, and a restart loads it and catches up: the revisions since come from etcd's
// history, or from the keeper's when etcd has compacted them; only when neither holds them all is
// the keys-only pass run again. On a large cluster that pass takes seconds, the catch-up little.
//
// Space and churn: once the tree is ready, a sizing pass (sizing.ts) reads every value's length at
// the tree's revision, in the background; each folder's bytes then sum its keys' current value
// sizes (keys not included). The feed delivers a write's new value only, so every key's current
// size is kept in a SizeTable; a key the feed writes while the pass runs is marked there, and the
// pass's older size for it is ignored. Every PUT and DELETE the feed delivers also counts as one
// write on each folder of the key's path (write-rate.ts). A rebuild starts the pass over; sizes
// are not in the saved snapshot, so after a restart the pass runs again.

export { readCurrentRevision };

/** Changes held while a build or a catch-up runs; more and the index is built again. */
const MAX_HELD_CHANGES = 200_000;
/** How often a ready index is saved to its keeper (when it changed); also after each full pass and on shutdown. */
const SAVE_INTERVAL_MS = 5 * 60_000;

/** Where a folder index is kept between restarts, and what fills the revisions etcd compacted meanwhile. */
export type FolderIndexKeeper = {
  load(): Promise<Buffer | null>;
  save(revision: number, data: Buffer): Promise<void>;
  /** The changes of revisions from..to, when the keeper holds every one of them whole; null otherwise. */
  changesBetween(from: number, to: number, maxChanges: number): Promise<ChangeBatch[] | null>;
};

export type IndexStatus =
  | { state: "idle" }
  | { state: "building"; revision: number; keysScanned: number; startedAt: number }
  | {
      state: "ready";
      revision: number;
      folders: number;
      keys: number;
      builtInMs: number;
      builds: number;
      /** The revision of the saved index the last build loaded and caught up from; null after a keys-only pass. */
      restoredFrom: number | null;
    };

/** The sizing pass: waiting for the tree, running (sized of total keys), or done (every folder's bytes exact). */
export type SizingStatus = {
  state: "waiting" | "sizing" | "ready";
  sized: number;
  total: number;
  /** The revision the pass reads at. */
  revision: number;
  startedAt: number;
  /** How long the last finished pass took. */
  sizedInMs: number;
  /** Pages that failed and were retried after a wait. */
  failures: number;
  /** Memory of the per-key size table. */
  tableBytes: number;
};

export type ReadyIndex = {
  tree: FolderTree;
  revision: number;
  /** False when the index had not reached etcd's current revision within the wait. */
  caughtUp: boolean;
};

type Waiter = { revision: number; resolve: () => void };

export class FolderIndex {
  private tree: FolderTree | null = null;
  private revision = 0;
  private building: Promise<void> | null = null;
  private progress: ScanProgress & { revision: number; startedAt: number } = { keysScanned: 0, revision: 0, startedAt: 0 };
  private generation = 0;
  private builds = 0;
  private builtInMs = 0;
  private feed: FeedSubscription | null = null;
  /** The last revision the feed delivered to this index. */
  private feedRevision = 0;
  /** Feed batches held while a build or catch-up runs (null: applied as they come). */
  private held: ChangeBatch[] | null = null;
  private heldChanges = 0;
  private overflowed = false;
  private waiters: Waiter[] = [];
  private stopped = false;
  private scanOptions: ScanOptions = {};
  private restoredFrom: number | null = null;
  private savedRevision = 0;
  private saveTimer: NodeJS.Timeout | null = null;
  private sizes: SizeTable | null = null;
  private largest = new LargestValues();
  /** True while a sizing pass runs: feed writes mark their keys so the pass leaves them alone. */
  private sizingRunning = false;
  private sizingGeneration = 0;
  private sizingOptions: SizingOptions = {};
  private sizing: Omit<SizingStatus, "sized" | "failures" | "tableBytes"> & { progress: SizingProgress } = {
    state: "waiting",
    total: 0,
    revision: 0,
    startedAt: 0,
    sizedInMs: 0,
    progress: { sized: 0, pages: 0, bytesRead: 0, failures: 0 },
  };

  constructor(
    private readonly connection: ClusterConnection,
    private readonly keeper: FolderIndexKeeper | null = null,
  ) {}

  status(): IndexStatus {
    if (this.tree) {
      return {
        state: "ready",
        revision: this.revision,
        folders: this.tree.folderCount,
        keys: this.tree.root.keyCount,
        builtInMs: this.builtInMs,
        builds: this.builds,
        restoredFrom: this.restoredFrom,
      };
    }
    if (this.building) return { state: "building", ...this.progress };
    return { state: "idle" };
  }

  sizingStatus(): SizingStatus {
    const { progress, ...sizing } = this.sizing;
    return { ...sizing, sized: progress.sized, failures: progress.failures, tableBytes: this.sizes?.memoryBytes ?? 0 };
  }

  /** The current value size of a key (latin1), 0 when unknown (not sized yet, or no such key). */
  sizeOfKey(key: string): number {
    return this.sizes?.sizeOf(key) ?? 0;
  }

  /** The largest values under a prefix (latin1), as far as the index knows them exactly (largest-values.ts). */
  largestValues(prefix: string, limit: number): LargeValue[] {
    return this.largest.largest(prefix, limit);
  }

  /** How the sizing pass pages (tests: tiny pages with pauses, so that writes land while it runs). */
  setSizingOptions(options: SizingOptions): void {
    this.sizingOptions = options;
  }

  /**
   * The index at the cluster's current revision (or as close as the feed gets within
   * `catchUpMs`), or null while it is still being built after `buildWaitMs`. A failed build
   * rejects here and is retried by the next call.
   */
  /**
   * Keys under each folder prefix (latin1, ending in "/") while the index is exactly at `revision`,
   * read without waiting; null when it is not (being built, or moved on since).
   */
  countUnderAt(prefixes: readonly string[], revision: number): number[] | null {
    if (!this.tree || this.revision !== revision) return null;
    const tree = this.tree;
    return prefixes.map((prefix) => tree.folder(prefix)?.keyCount ?? 0);
  }

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

  /** Stops consuming the feed but keeps the tree, as an index that lags would (for tests). */
  pauseWatch(): void {
    this.leaveFeed();
  }

  /**
   * Consumes the feed again: the revisions since the last one applied are replayed from etcd's
   * history first; a compaction in between (or too many of them) forces a rebuild.
   */
  resumeWatch(): void {
    if (!this.tree || this.feed) return;
    const generation = this.generation;
    void this.catchUp(generation).catch(() => {
      if (generation === this.generation) void this.rebuild().catch(() => undefined);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.saveTimer = null;
    this.reset();
  }

  /** Saves the index to its keeper when it changed since the last save (periodically, and on shutdown). */
  async save(): Promise<void> {
    if (!this.keeper || !this.tree || this.revision <= this.savedRevision) return;
    const { clusterId } = await getClusterHeader(this.connection);
    if (!this.tree) return;
    // Encoded in one synchronous step: the tree and its revision as one snapshot.
    const revision = this.revision;
    const data = encodeFolderSnapshot(this.tree, revision, clusterId);
    await this.keeper.save(revision, data);
    this.savedRevision = Math.max(this.savedRevision, revision);
  }

  /** Sizes every value at the tree's revision in the background; the tree's bytes count from zero again. */
  private startSizing(generation: number): void {
    const tree = this.tree!;
    const sizingGeneration = ++this.sizingGeneration;
    tree.clearBytes();
    this.sizes = new SizeTable(tree.root.keyCount);
    this.largest = new LargestValues();
    this.sizingRunning = true;
    const progress: SizingProgress = { sized: 0, pages: 0, bytesRead: 0, failures: 0 };
    const startedAt = Date.now();
    this.sizing = { state: "sizing", total: tree.root.keyCount, revision: this.revision, startedAt, sizedInMs: 0, progress };
    const stopped = () => this.stopped || generation !== this.generation || sizingGeneration !== this.sizingGeneration;
    runSizingPass(
      this.connection,
      this.revision,
      (keys, sizes) => this.applySizes(keys, sizes),
      progress,
      stopped,
      this.sizingOptions,
    ).then(
      () => {
        if (stopped()) return;
        this.sizes?.clearMarks();
        this.sizingRunning = false;
        this.sizing = { ...this.sizing, state: "ready", sizedInMs: Date.now() - startedAt };
      },
      () => {
        // Only a compacted revision ends a pass early: start over at the revision the tree is at now.
        if (stopped()) return;
        setTimeout(() => {
          if (!stopped() && this.tree) this.startSizing(generation);
        }, 1_000).unref();
      },
    );
  }

  /** One page of the pass: keys the feed has written since its revision keep the feed's size. */
  private applySizes(keys: string[], sizes: number[]): void {
    const tree = this.tree;
    const table = this.sizes;
    if (!tree || !table) return;
    for (let at = 0; at < keys.length; at++) {
      const key = keys[at];
      if (table.get(key)) continue;
      table.set(key, sizes[at]);
      tree.recordWrite(key, sizes[at], null);
      this.largest.offer(key, sizes[at]);
    }
  }

  private reset(): void {
    this.generation += 1;
    this.sizingGeneration += 1;
    this.sizes = null;
    this.sizingRunning = false;
    this.sizing = { ...this.sizing, state: "waiting", progress: { sized: 0, pages: 0, bytesRead: 0, failures: 0 } };
    this.tree = null;
    this.building = null;
    this.leaveFeed();
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
    this.hold();
    await this.joinFeed();
    if (generation !== this.generation) return;
    // Every change after this revision reaches the index through the feed, held until the pass ends.
    const revision = this.feedRevision;
    this.progress = { keysScanned: 0, revision, startedAt };
    // A keeper that cannot answer (the archive unavailable) costs the restart its shortcut, nothing else.
    const restored = this.keeper ? await this.restore(revision).catch(() => null) : null;
    if (generation !== this.generation) return;
    const tree = restored ?? new FolderTree();
    if (!restored) {
      await scanIntoTree(this.connection, tree, revision, this.progress, () => generation !== this.generation, this.scanOptions);
      if (generation !== this.generation) return;
    }
    if (this.overflowed) {
      this.building = null;
      this.leaveFeed();
      return this.startBuild();
    }
    this.tree = tree;
    this.revision = revision;
    // Before the held changes: they come after the pass's revision, as the feed's do.
    this.startSizing(generation);
    this.restoredFrom = restored ? this.savedRevision : null;
    this.builds += 1;
    this.builtInMs = Date.now() - startedAt;
    this.building = null;
    this.applyHeld();
    if (this.keeper) {
      // A keys-only pass is saved at once, so that the next restart need not repeat it.
      if (!restored) void this.save().catch(() => undefined);
      this.saveTimer ??= setInterval(() => void this.save().catch(() => undefined), SAVE_INTERVAL_MS);
      this.saveTimer.unref();
    }
  }

  /**
   * The saved index brought up to `through` (the revision the feed starts after), or null when
   * there is none, it is of another etcd, or the revisions since are held neither by etcd nor by
   * the keeper. Sets savedRevision to the revision it was saved at.
   */
  private async restore(through: number): Promise<FolderTree | null> {
    const data = await this.keeper!.load();
    const snapshot = data ? decodeFolderSnapshot(data) : null;
    if (!snapshot || snapshot.revision > through) return null;
    const { clusterId } = await getClusterHeader(this.connection);
    if (snapshot.clusterId !== clusterId) return null;
    if (snapshot.revision < through) {
      const batches = await this.changesBetween(snapshot.revision + 1, through);
      if (!batches) return null;
      for (const batch of batches) if (!applyToTree(snapshot.tree, batch)) return null;
    }
    this.savedRevision = snapshot.revision;
    return snapshot.tree;
  }

  /** Revisions from..to from etcd's history, else from the keeper's; null when neither holds them all. */
  private async changesBetween(from: number, to: number): Promise<ChangeBatch[] | null> {
    const result = await replayRevisions(this.connection, {
      range: WHOLE_KEYSPACE,
      fromRevision: from,
      // Every revision has an event somewhere in the keyspace: the one at `to` ends the replay.
      through: to,
      maxEvents: MAX_HELD_CHANGES,
      maxBytes: 256 * 1024 * 1024,
      timeoutMs: 60_000,
    });
    if (result.kind === "events") return toChangeBatches(result.events);
    return this.keeper!.changesBetween(from, to, MAX_HELD_CHANGES);
  }

  /** Replays what the feed delivered while the index was not consuming it, then follows it again. */
  private async catchUp(generation: number): Promise<void> {
    this.hold();
    await this.joinFeed();
    const through = this.feedRevision;
    if (through > this.revision) {
      const result = await replayRevisions(this.connection, {
        range: WHOLE_KEYSPACE,
        fromRevision: this.revision + 1,
        // Every revision has an event somewhere in the keyspace: the one at `through` ends the replay.
        through,
        maxEvents: MAX_HELD_CHANGES,
        maxBytes: 256 * 1024 * 1024,
        timeoutMs: 60_000,
      });
      if (generation !== this.generation) return;
      if (result.kind !== "events") throw new Error(`catching up the folder index: ${result.kind}`);
      for (const batch of toChangeBatches(result.events)) if (!this.apply(batch)) return;
    }
    if (this.overflowed) throw new Error("catching up the folder index: too many changes meanwhile");
    this.applyHeld();
  }

  private async joinFeed(): Promise<void> {
    if (this.feed) return;
    const subscription = await getClusterFeed(this.connection).subscribe({
      batch: (batch) => this.receive(batch),
      // The events the index needs are gone: start over.
      compacted: () => void this.rebuild().catch(() => undefined),
    });
    if (this.feed) {
      subscription.close();
      return;
    }
    this.feed = subscription;
    this.feedRevision = subscription.startsAfter;
  }

  private leaveFeed(): void {
    this.feed?.close();
    this.feed = null;
    this.held = null;
  }

  private hold(): void {
    this.held = [];
    this.heldChanges = 0;
    this.overflowed = false;
  }

  private receive(batch: ChangeBatch): void {
    this.feedRevision = batch.revision;
    if (this.held) {
      this.heldChanges += batch.changes.length;
      if (this.heldChanges > MAX_HELD_CHANGES) this.overflowed = true;
      else this.held.push(batch);
      return;
    }
    this.apply(batch);
  }

  private applyHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const batch of held) if (!this.apply(batch)) return;
    this.settleWaiters();
  }

  /** Applies one revision's changes; false when the index had to be rebuilt. */
  private apply(batch: ChangeBatch): boolean {
    const tree = this.tree;
    if (!tree) return false;
    // A revision already in the tree (held during a catch-up that replayed it) is skipped.
    if (batch.revision <= this.revision) return true;
    const sizes = this.sizes ? { table: this.sizes, largest: this.largest, passRunning: this.sizingRunning } : null;
    if (!applyToTree(tree, batch, sizes, Date.now())) {
      void this.rebuild().catch(() => undefined);
      return false;
    }
    this.revision = batch.revision;
    this.settleWaiters();
    return true;
  }

  private settleWaiters(): void {
    if (!this.tree) return;
    const due = this.waiters.filter((waiter) => waiter.revision <= this.revision);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.revision > this.revision);
    for (const waiter of due) waiter.resolve();
  }
}

type Sizes = { table: SizeTable; largest: LargestValues; passRunning: boolean };

/**
 * Applies one revision's changes: creations and deletions to the key counts, every change as a
 * write at `now` (null: history replayed on restore, not counted), and with `sizes` the value
 * sizes. False when it deletes a key the tree did not know (it is then inexact).
 */
function applyToTree(tree: FolderTree, batch: ChangeBatch, sizes: Sizes | null = null, now: number | null = null): boolean {
  for (const change of batch.changes) {
    const key = change.key.toString("latin1");
    if (change.type === "DELETE") {
      const old = sizes ? sizes.table.delete(key, sizes.passRunning) : 0;
      sizes?.largest.remove(key);
      tree.recordWrite(key, -old, now);
      if (!tree.removeKey(key)) return false;
    } else {
      if (change.version === 1) tree.addKey(key);
      const old = sizes ? sizes.table.set(key, change.valueSize, sizes.passRunning) : 0;
      sizes?.largest.offer(key, change.valueSize);
      tree.recordWrite(key, sizes ? change.valueSize - old : 0, now);
    }
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// On globalThis, like the connection itself: Next may load this module more than once (the boot
// hook in instrumentation.ts and the route handlers are bundled apart), and two indexes of one
// cluster would mean two builds and two watches.
const globalCache = globalThis as unknown as {
  etcdlensFolderIndexes?: WeakMap<ClusterConnection, FolderIndex>;
  etcdlensFolderIndexKeepers?: { keeperOf: (connection: ClusterConnection) => FolderIndexKeeper | null; kept: Set<FolderIndex> };
};
const indexes = (globalCache.etcdlensFolderIndexes ??= new WeakMap());

/** The folder index of a connection, created on first use and kept with it. */
export function getFolderIndex(connection: ClusterConnection): FolderIndex {
  let index = indexes.get(connection);
  if (!index) {
    const keepers = globalCache.etcdlensFolderIndexKeepers;
    const keeper = keepers?.keeperOf(connection) ?? null;
    index = new FolderIndex(connection, keeper);
    if (keeper) keepers?.kept.add(index);
    indexes.set(connection, index);
  }
  return index;
}

/**
 * Names where each connection's index is kept between restarts (the server's boot sets the
 * archive's); indexes made before this call keep none.
 */
export function keepFolderIndexes(keeperOf: (connection: ClusterConnection) => FolderIndexKeeper | null): void {
  globalCache.etcdlensFolderIndexKeepers = { keeperOf, kept: globalCache.etcdlensFolderIndexKeepers?.kept ?? new Set() };
}

/** Saves every kept index that changed since its last save (shutdown). */
export async function saveFolderIndexes(): Promise<void> {
  const kept = [...(globalCache.etcdlensFolderIndexKeepers?.kept ?? [])];
  await Promise.all(kept.map((index) => index.save().catch(() => undefined)));
}
