import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import {
  RecorderLockLostError,
  type ArchivedEvent,
  type ArchivedRevision,
  type ArchivedVersion,
  type ArchiveStore,
  type PruneRequest,
} from "@/lib/archive/store";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// The retention part of the archive store's contract (ArchiveStore.prune), on both engines and
// real storage: the oldest revisions leave, the value of every key at the new first revision stays
// readable, every version after it decodes unchanged (including those whose compression base went).

type ArchivePlace = { openStore: () => Promise<ArchiveStore>; dispose: () => Promise<void> };

let postgres: Promise<PostgresProcess> | undefined;
let postgresPlaces = 0;

afterAll(async () => {
  await (await postgres)?.remove();
});

const engines: { engine: string; createPlace: () => Promise<ArchivePlace> }[] = [
  {
    engine: "sqlite",
    createPlace: async () => {
      const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-retention-"));
      return { openStore: async () => openSqliteStore(dir), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    engine: "postgres",
    createPlace: async () => {
      postgres ??= startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-retention-pg"), quiet: true });
      const server = await postgres;
      const database = `retention_${(postgresPlaces += 1)}`;
      const url = await server.createDatabase(database);
      return { openStore: () => openPostgresStore(url), dispose: () => server.dropDatabase(database) };
    },
  },
];

const CLUSTER = "default";
const HOLDER = "recorder-a";
const HOUR = 3_600_000;

function put(key: string, revision: number, value: string | Buffer, createRevision = revision): ArchivedEvent {
  return { type: "PUT", key: Buffer.from(key), revision, createRevision, version: 1, lease: "0", value: Buffer.from(value) };
}

function del(key: string, revision: number): ArchivedEvent {
  return { type: "DELETE", key: Buffer.from(key), revision, createRevision: 0, version: 0, lease: "0", value: Buffer.alloc(0) };
}

/** A Lease renewal as kube-apiserver stores it: only renewTime and resourceVersion change, so each compresses against the one before. */
function lease(renewal: number): string {
  return JSON.stringify({
    kind: "Lease",
    metadata: { name: "node-7", namespace: "kube-node-lease", resourceVersion: String(5_000 + renewal), uid: "3c1a9e7e-0007" },
    spec: { holderIdentity: "node-7", leaseDurationSeconds: 40, renewTime: `2026-11-20T09:00:${String(renewal).padStart(2, "0")}Z` },
    padding: "x".repeat(400),
  });
}

const config = (generation: number) => JSON.stringify({ kind: "ConfigMap", data: { setting: "y".repeat(600), generation } });

/** What a view reads of a version; arrival and baseline marks aside. */
const seen = (version: ArchivedVersion | null) =>
  version && { type: version.type, revision: version.revision, createRevision: version.createRevision, value: version.value.toString() };

async function pruneAll(store: ArchiveStore, request: PruneRequest): Promise<number> {
  let calls = 0;
  for (;;) {
    calls += 1;
    const result = await store.prune(CLUSTER, HOLDER, request);
    if (result.done) return calls;
    expect(result.removedVersions).toBeGreaterThan(0);
  }
}

describe.each(engines)("archive retention on $engine", ({ createPlace }) => {
  let place: ArchivePlace;
  let store: ArchiveStore;

  beforeEach(async () => {
    place = await createPlace();
    store = await place.openStore();
    expect(await store.tryLockRecorder(CLUSTER, HOLDER, 60_000)).toBe(true);
  });

  afterEach(async () => {
    await store.close();
    await place.dispose();
  });

  it("prunes by age like a compaction: history stops at the boundary, the value at it and every version after it read unchanged", async () => {
    const now = Date.now();
    // A baseline at revision 2, then revisions 3..40; 11 and 12 were never recorded (a gap).
    await store.appendBaseline(CLUSTER, HOLDER, 2, [put("/static", 2, config(0))]);
    await store.finishBaseline(CLUSTER, HOLDER, 2);
    await store.recordGap(CLUSTER, HOLDER, 11, 12);
    const revisions: ArchivedRevision[] = [];
    for (let revision = 3; revision <= 40; revision += 1) {
      if (revision === 11 || revision === 12) continue;
      const events = [put("/lease", revision, lease(revision), 3)];
      // Deleted before the boundary, created again after it with a value like its old one: stored against the version before the delete.
      if (revision === 4) events.push(put("/gone", 4, config(1)));
      if (revision === 9) events.push(del("/gone", 9));
      if (revision === 35) events.push(put("/gone", 35, config(2)));
      if (revision === 20) events.push(put("/at-boundary", 20, config(3)));
      if (revision === 30) events.push(put("/at-boundary", 30, config(4), 20));
      if (revision === 33) events.push(put("/at-boundary", 33, config(5), 20));
      // Revisions up to 30 arrived ten hours ago, the later ones a minute ago.
      revisions.push({ revision, arrivedAt: revision <= 30 ? now - 10 * HOUR + revision : now - 60_000 + revision, events });
    }
    await store.appendRevisions(CLUSTER, HOLDER, revisions);
    const keys = ["/lease", "/static", "/gone", "/at-boundary"];
    const historyAfter = async (key: string) =>
      (await store.historyOf(CLUSTER, Buffer.from(key), { limit: 1_000 })).filter((version) => version.revision >= 30).map(seen);
    const before = {
      atBoundary: await Promise.all(keys.map(async (key) => seen(await store.versionAt(CLUSTER, Buffer.from(key), 30)))),
      after: await Promise.all(keys.map(historyAfter)),
      revisions: await store.readRevisions(CLUSTER, { from: 30, limit: 1_000 }),
      coverage: await store.coverage(CLUSTER),
    };
    expect(before.coverage.firstRevision).toBe(3);
    expect(before.coverage.pruned ?? null).toBeNull();

    await expect(store.prune(CLUSTER, "another-recorder", { olderThanMs: HOUR })).rejects.toBeInstanceOf(RecorderLockLostError);
    expect(await pruneAll(store, { olderThanMs: HOUR })).toBe(1);

    const coverage = await store.coverage(CLUSTER);
    expect(coverage.firstRevision).toBe(30);
    expect(coverage.pruned?.before).toBe(30);
    expect(coverage.lastRevision).toBe(40);
    // The old baseline went; the cut is one now (every key's value at it is held).
    expect(coverage.baselines).toEqual([30]);
    expect(coverage.gaps).toEqual([]);
    expect(coverage.storedBytes).toBeLessThan(before.coverage.storedBytes!);
    // The value of every key at the boundary; /gone did not exist then, and no row says so any more.
    const atBoundary = await Promise.all(keys.map(async (key) => seen(await store.versionAt(CLUSTER, Buffer.from(key), 30))));
    expect(atBoundary).toEqual([before.atBoundary[0], before.atBoundary[1], null, before.atBoundary[3]]);
    expect(before.atBoundary[2]?.type).toBe("DELETE");
    expect(await Promise.all(keys.map(historyAfter))).toEqual(before.after);
    expect(await store.readRevisions(CLUSTER, { from: 30, limit: 1_000 })).toEqual(before.revisions);
    // History stops at the boundary; what is kept from before it stands alone, as a baseline's version.
    const leaseHistory = await store.historyOf(CLUSTER, Buffer.from("/lease"), { limit: 1_000 });
    expect(leaseHistory.map((version) => version.revision)).toEqual([40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30]);
    const staticHistory = await store.historyOf(CLUSTER, Buffer.from("/static"), { limit: 10 });
    expect(staticHistory.map((version) => [version.revision, version.fromBaseline, version.value.toString()])).toEqual([
      [2, true, config(0)],
    ]);
    expect((await store.historyOf(CLUSTER, Buffer.from("/gone"), { limit: 10 })).map((version) => version.revision)).toEqual([35]);
    // Below it only what is kept of the keys it did not change: /static, as of its baseline.
    expect(
      (await store.readRevisions(CLUSTER, { from: 1, to: 29, limit: 1_000 })).map((revision) => [
        revision.revision,
        revision.events.length,
      ]),
    ).toEqual([[2, 1]]);
    // The boundary's own arrival time stays; those before it went with their revisions.
    expect(await store.revisionAtTime(CLUSTER, now - 5 * HOUR)).toBe(30);
    expect(await store.revisionAtTime(CLUSTER, now - 10 * HOUR + 29)).toBeNull();

    // Recording goes on after a prune: new versions compress against what is left and read back.
    await store.appendRevisions(CLUSTER, HOLDER, [
      { revision: 41, arrivedAt: now, events: [put("/lease", 41, lease(41), 3), put("/gone", 41, config(6), 35)] },
    ]);
    expect((await store.versionAt(CLUSTER, Buffer.from("/lease"), 41))?.value.toString()).toBe(lease(41));
    expect((await store.versionAt(CLUSTER, Buffer.from("/gone"), 41))?.value.toString()).toBe(config(6));
    // Nothing is older than an hour any more: pruning again removes nothing.
    expect(await store.prune(CLUSTER, HOLDER, { olderThanMs: HOUR })).toEqual({ firstRevision: 30, removedVersions: 0, done: true });
  });

  it("prunes by size, oldest revisions first and in bounded batches, until the archive fits", async () => {
    const revisions: ArchivedRevision[] = [];
    // 300 revisions over 10 keys, 2 KB of incompressible value each.
    for (let revision = 2; revision <= 301; revision += 1) {
      revisions.push({
        revision,
        arrivedAt: Date.now(),
        events: [put(`/pods/p${revision % 10}`, revision, randomBytes(2_048), revision % 10 || 10)],
      });
    }
    await store.appendRevisions(CLUSTER, HOLDER, revisions);
    const full = await store.coverage(CLUSTER);
    expect(full.storedBytes).toBeGreaterThan(300 * 2_048);
    const maxBytes = Math.floor(full.storedBytes! / 3);
    const keys = Array.from({ length: 10 }, (_, index) => Buffer.from(`/pods/p${index}`));
    const everything = new Map(
      await Promise.all(keys.map(async (key) => [key.toString(), await store.historyOf(CLUSTER, key, { limit: 1_000 })] as const)),
    );

    const calls = await pruneAll(store, { maxBytes, batchVersions: 40 });
    expect(calls).toBeGreaterThan(2);
    const coverage = await store.coverage(CLUSTER);
    expect(coverage.storedBytes).toBeLessThanOrEqual(maxBytes);
    // Not more than a batch beyond what the size asked for.
    expect(coverage.storedBytes).toBeGreaterThan(maxBytes - 41 * (2_048 + 100));
    const first = coverage.firstRevision!;
    expect(first).toBeGreaterThan(150);
    expect(coverage.pruned?.before).toBe(first);
    for (const key of keys) {
      const kept = await store.historyOf(CLUSTER, key, { limit: 1_000 });
      const all = everything.get(key.toString())!;
      // Every version from the boundary on, and the one the key had at the boundary.
      const expected = all.filter((version, index) => version.revision >= first || (all[index - 1]?.revision ?? Infinity) > first);
      expect(kept.map(seen)).toEqual(expected.filter((version) => version.revision >= first || version === expected.at(-1)).map(seen));
      expect(kept.at(-1)!.revision).toBeLessThanOrEqual(first);
    }
  });
});
