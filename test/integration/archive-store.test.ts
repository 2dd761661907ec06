import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { archiveFilePath, openSqliteStore, SCHEMA_VERSION } from "@/lib/archive/sqlite-store";
import { RecorderLockLostError, type ArchivedEvent, type ArchivedRevision, type ArchiveStore } from "@/lib/archive/store";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// The archive store's contract, run against every engine on real storage. An engine is a place
// (a temp file, a database) in which several stores can be opened, as several processes would.

type ArchivePlace = { openStore: () => Promise<ArchiveStore>; dispose: () => Promise<void> };
type Engine = { engine: string; createPlace: () => Promise<ArchivePlace> };

// One PostgreSQL server for the file, started by the first test that needs it (about 1.4 s);
// each place is a database of its own on it.
let postgres: Promise<PostgresProcess> | undefined;
let postgresPlaces = 0;

afterAll(async () => {
  await (await postgres)?.remove();
});

const engines: Engine[] = [
  {
    engine: "sqlite",
    createPlace: async () => {
      const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-store-"));
      return { openStore: async () => openSqliteStore(dir), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    engine: "postgres",
    createPlace: async () => {
      postgres ??= startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-store-pg"), quiet: true });
      const server = await postgres;
      const database = `place_${(postgresPlaces += 1)}`;
      const url = await server.createDatabase(database);
      return { openStore: () => openPostgresStore(url), dispose: () => server.dropDatabase(database) };
    },
  },
];

const CLUSTER = "default";
const HOLDER = "recorder-a";

function put(key: string | Buffer, revision: number, value: string | Buffer, extra: Partial<ArchivedEvent> = {}): ArchivedEvent {
  return {
    type: "PUT",
    key: Buffer.isBuffer(key) ? key : Buffer.from(key),
    revision,
    createRevision: revision,
    version: 1,
    lease: "0",
    value: Buffer.isBuffer(value) ? value : Buffer.from(value),
    ...extra,
  };
}

function del(key: string | Buffer, revision: number): ArchivedEvent {
  return {
    type: "DELETE",
    key: Buffer.isBuffer(key) ? key : Buffer.from(key),
    revision,
    createRevision: 0,
    version: 0,
    lease: "0",
    value: Buffer.alloc(0),
  };
}

function rev(revision: number, events: ArchivedEvent[], arrivedAt: number | null = null): ArchivedRevision {
  return { revision, arrivedAt, events };
}

/** A Lease as kube-apiserver renews it: only renewTime and resourceVersion change. */
function lease(renewal: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: "node-7",
        namespace: "kube-node-lease",
        resourceVersion: String(5_000 + renewal),
        uid: "3c1a9e7e-0000-4000-8000-000000000007",
      },
      spec: {
        holderIdentity: "node-7",
        leaseDurationSeconds: 40,
        renewTime: `2026-11-20T09:${String(Math.floor(renewal / 6) % 60).padStart(2, "0")}:${String((renewal % 6) * 10).padStart(2, "0")}.000000Z`,
      },
    }),
  );
}

function plain(
  events: { type: string; key: Buffer; revision: number; createRevision: number; version: number; lease: string; value: Buffer }[],
) {
  return events.map((event) => ({ ...event, key: event.key.toString("latin1"), value: event.value.toString("latin1") }));
}

describe.each(engines)("archive store on $engine", ({ createPlace }) => {
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

  it("stores whole revisions once, however often they are appended, and moves the last recorded revision", async () => {
    const revisions = [rev(2, [put("/a", 2, "one")]), rev(3, [put("/b", 3, "x"), put("/c", 3, "y"), del("/a", 3)])];
    expect(await store.lastRecordedRevision(CLUSTER)).toBe(0);
    await store.appendRevisions(CLUSTER, HOLDER, revisions);
    await store.appendRevisions(CLUSTER, HOLDER, revisions);
    await store.appendRevisions(CLUSTER, HOLDER, [revisions[1]]);
    expect(await store.lastRecordedRevision(CLUSTER)).toBe(3);
    const back = await store.readRevisions(CLUSTER, { from: 1, limit: 100 });
    expect(back.map((revision) => revision.revision)).toEqual([2, 3]);
    // A transaction's events come back in etcd's order, not key order.
    expect(back[1].events.map((event) => `${event.type} ${event.key.toString()}`)).toEqual(["PUT /b", "PUT /c", "DELETE /a"]);
    expect(plain(back.flatMap((revision) => revision.events))).toEqual(plain(revisions.flatMap((revision) => revision.events)));
    // An older batch appended late does not move the last revision back.
    await store.appendRevisions(CLUSTER, HOLDER, [revisions[0]]);
    expect(await store.lastRecordedRevision(CLUSTER)).toBe(3);
    expect((await store.coverage(CLUSTER)).firstRevision).toBe(2);
  });

  it("answers history newest first across delete and re-create, page by page, with byte keys and 64-bit lease IDs", async () => {
    const key = Buffer.from([0x2f, 0xff, 0x00, 0x41]);
    const bigLease = "7587869012345678901";
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(5, [put(key, 5, "v1", { lease: bigLease })]),
      rev(6, [put(key, 6, "v2", { createRevision: 5, version: 2, lease: bigLease })]),
      rev(7, [del(key, 7)]),
      rev(8, [put("/other", 8, "o")]),
      rev(9, [put(key, 9, "again")]),
    ]);
    const all = await store.historyOf(CLUSTER, key, { limit: 10 });
    expect(all.map((version) => [version.revision, version.type, version.value.toString()])).toEqual([
      [9, "PUT", "again"],
      [7, "DELETE", ""],
      [6, "PUT", "v2"],
      [5, "PUT", "v1"],
    ]);
    expect(all[2]).toMatchObject({ createRevision: 5, version: 2, lease: bigLease, fromBaseline: false });
    expect(all[0].key.equals(key)).toBe(true);
    const page = await store.historyOf(CLUSTER, key, { before: 7, limit: 1 });
    expect(page.map((version) => version.revision)).toEqual([6]);
    expect(await store.historyOf(CLUSTER, Buffer.from("/never"), { limit: 10 })).toEqual([]);
  });

  it("finds the version of a key at any revision: the one before, the deletion, or none yet", async () => {
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(10, [put("/k", 10, "first")]),
      rev(12, [put("/k", 12, "second", { createRevision: 10, version: 2 })]),
      rev(14, [del("/k", 14)]),
    ]);
    expect(await store.versionAt(CLUSTER, Buffer.from("/k"), 9)).toBeNull();
    expect((await store.versionAt(CLUSTER, Buffer.from("/k"), 11))?.value.toString()).toBe("first");
    expect((await store.versionAt(CLUSTER, Buffer.from("/k"), 13))?.value.toString()).toBe("second");
    expect((await store.versionAt(CLUSTER, Buffer.from("/k"), 100))?.type).toBe("DELETE");
  });

  it("reads back every version of a long run of Lease renewals, through chains of compressed values", async () => {
    const revisions = Array.from({ length: 60 }, (_, i) =>
      rev(20 + i, [put("/registry/leases/kube-node-lease/node-7", 20 + i, lease(i), { createRevision: 20, version: i + 1 })]),
    );
    // In several transactions, as the recorder stores them.
    for (let from = 0; from < revisions.length; from += 7) await store.appendRevisions(CLUSTER, HOLDER, revisions.slice(from, from + 7));
    const history = await store.historyOf(CLUSTER, Buffer.from("/registry/leases/kube-node-lease/node-7"), { limit: 100 });
    expect(history.map((version) => version.value.toString())).toEqual(revisions.map((_, i) => lease(i).toString()).reverse());
    for (const at of [20, 36, 37, 52, 79]) {
      expect(
        (await store.versionAt(CLUSTER, Buffer.from("/registry/leases/kube-node-lease/node-7"), at))?.value.equals(lease(at - 20)),
      ).toBe(true);
    }
    // A fresh store (another process) has nothing in memory and must read the chains from storage.
    const reader = await place.openStore();
    try {
      const back = await reader.readRevisions(CLUSTER, { from: 40, to: 45, limit: 100 });
      expect(back.map((revision) => revision.events[0].value.toString())).toEqual([20, 21, 22, 23, 24, 25].map((i) => lease(i).toString()));
    } finally {
      await reader.close();
    }
  });

  it("reads many keys' versions in one call, each as versionAt reads it: through compressed chains, deleted, not yet created, unknown", async () => {
    const node = (n: number) => Buffer.from(`/registry/leases/kube-node-lease/node-${n}`);
    const revisions: ArchivedRevision[] = [];
    for (let i = 0; i < 40; i++) {
      revisions.push(rev(100 + 2 * i, [put(node(1), 100 + 2 * i, lease(i), { createRevision: 100, version: i + 1 })]));
      revisions.push(rev(101 + 2 * i, [put(node(2), 101 + 2 * i, lease(i + 1000), { createRevision: 101, version: i + 1 })]));
    }
    revisions.push(rev(200, [del(node(2), 200)]), rev(201, [put("/late", 201, "late")]));
    for (let from = 0; from < revisions.length; from += 9) await store.appendRevisions(CLUSTER, HOLDER, revisions.slice(from, from + 9));
    const reads = [
      { key: node(1), revision: 175 },
      { key: node(2), revision: 150 },
      { key: node(1), revision: 131 },
      { key: Buffer.from("/late"), revision: 150 },
      { key: Buffer.from("/never"), revision: 201 },
      { key: node(2), revision: 201 },
      { key: node(1), revision: 175 },
      { key: Buffer.from("/late"), revision: 300 },
    ];
    const summary = (version: Awaited<ReturnType<ArchiveStore["versionAt"]>>) =>
      version && {
        type: version.type,
        key: version.key.toString(),
        revision: version.revision,
        version: version.version,
        value: version.value.toString(),
      };
    // A fresh store (another process) holds no recent values in memory: every base comes from storage.
    const reader = await place.openStore();
    try {
      const batched = (await reader.versionsAt(CLUSTER, reads)).map(summary);
      const single = await Promise.all(reads.map(async ({ key, revision }) => summary(await reader.versionAt(CLUSTER, key, revision))));
      expect(batched).toEqual(single);
      expect(batched.map((version) => version && [version.type, version.revision])).toEqual([
        ["PUT", 174],
        ["PUT", 149],
        ["PUT", 130],
        null,
        null,
        ["DELETE", 200],
        ["PUT", 174],
        ["PUT", 201],
      ]);
      expect(batched[0]!.value).toBe(lease(37).toString());
      expect(batched[1]!.value).toBe(lease(1024).toString());
      expect(await reader.versionsAt(CLUSTER, [])).toEqual([]);
      expect(await reader.versionsAt("elsewhere", reads.slice(0, 2))).toEqual([null, null]);
    } finally {
      await reader.close();
    }
  });

  it("keeps the last revision of a page whole, whatever the event limit", async () => {
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(2, [put("/a", 2, "a")]),
      rev(3, [put("/b", 3, "b"), put("/c", 3, "c"), put("/d", 3, "d")]),
    ]);
    const page = await store.readRevisions(CLUSTER, { from: 1, limit: 2 });
    expect(page.map((revision) => [revision.revision, revision.events.length])).toEqual([
      [2, 1],
      [3, 3],
    ]);
    expect((await store.readRevisions(CLUSTER, { from: 3, to: 3, limit: 1 }))[0].events).toHaveLength(3);
  });

  it("merges a baseline with the events recorded after it: one row per version, marked as the baseline's until seen as an event", async () => {
    await store.appendBaseline(CLUSTER, HOLDER, 30, [
      put("/old", 4, "untouched since 4"),
      put("/new", 28, "at 28", { version: 3, createRevision: 1 }),
    ]);
    let coverage = await store.coverage(CLUSTER);
    expect(coverage.baselines).toEqual([]);
    expect(coverage.recordingSince).not.toBeNull();
    await store.finishBaseline(CLUSTER, HOLDER, 30);
    // etcd's retained history from 27 on, which repeats the baseline's version at 28.
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(27, [put("/new", 27, "at 27", { version: 2, createRevision: 1 })]),
      rev(28, [put("/x", 28, "x"), put("/new", 28, "at 28", { version: 3, createRevision: 1 })]),
    ]);
    coverage = await store.coverage(CLUSTER);
    expect(coverage).toMatchObject({ firstRevision: 27, lastRevision: 28, baselines: [30], gaps: [] });
    const history = await store.historyOf(CLUSTER, Buffer.from("/new"), { limit: 10 });
    expect(history.map((version) => [version.revision, version.value.toString(), version.fromBaseline])).toEqual([
      [28, "at 28", false],
      [27, "at 27", false],
    ]);
    expect((await store.historyOf(CLUSTER, Buffer.from("/old"), { limit: 10 })).map((version) => version.fromBaseline)).toEqual([true]);
    const [at28] = await store.readRevisions(CLUSTER, { from: 28, to: 28, limit: 10 });
    expect(at28.events.map((event) => event.key.toString())).toEqual(["/x", "/new"]);
  });

  it("records gaps once each, in order, extends one that starts where it starts, and reports them in the coverage", async () => {
    await store.recordGap(CLUSTER, HOLDER, 50, 60);
    await store.recordGap(CLUSTER, HOLDER, 10, 20);
    await store.recordGap(CLUSTER, HOLDER, 50, 60);
    await store.recordGap(CLUSTER, HOLDER, 10, 25);
    await store.recordGap(CLUSTER, HOLDER, 10, 15);
    const gaps = await store.gaps(CLUSTER);
    expect(gaps.map((gap) => [gap.from, gap.to])).toEqual([
      [10, 25],
      [50, 60],
    ]);
    expect(gaps[0].recordedAt).toBeGreaterThan(0);
    expect((await store.coverage(CLUSTER)).gaps).toEqual(gaps);
    await expect(store.recordGap(CLUSTER, HOLDER, 9, 8)).rejects.toThrow(/empty/);
  });

  it("lets one holder record at a time: others are refused until the lock expires or is released, and cannot write", async () => {
    const other = await place.openStore();
    try {
      expect(await other.tryLockRecorder(CLUSTER, "recorder-b", 60_000)).toBe(false);
      await expect(other.appendRevisions(CLUSTER, "recorder-b", [rev(2, [put("/a", 2, "a")])])).rejects.toBeInstanceOf(
        RecorderLockLostError,
      );
      await expect(other.recordGap(CLUSTER, "recorder-b", 1, 2)).rejects.toBeInstanceOf(RecorderLockLostError);
      expect(await other.renewRecorderLock(CLUSTER, "recorder-b", 60_000)).toBe(false);
      expect(await store.renewRecorderLock(CLUSTER, HOLDER, 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      // Expired: another takes over, and the first can no longer write or renew.
      expect(await other.tryLockRecorder(CLUSTER, "recorder-b", 60_000)).toBe(true);
      await other.appendRevisions(CLUSTER, "recorder-b", [rev(2, [put("/a", 2, "a")])]);
      await expect(store.appendRevisions(CLUSTER, HOLDER, [rev(3, [put("/a", 3, "b")])])).rejects.toBeInstanceOf(RecorderLockLostError);
      expect(await store.renewRecorderLock(CLUSTER, HOLDER, 60_000)).toBe(false);
      expect(await store.lastRecordedRevision(CLUSTER)).toBe(2);
      await other.releaseRecorderLock(CLUSTER, "recorder-b");
      expect(await store.tryLockRecorder(CLUSTER, HOLDER, 60_000)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("finds the last revision that arrived at or before a time, among live revisions only", async () => {
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(4, [put("/a", 4, "history")], null),
      rev(5, [put("/a", 5, "a")], 1_000),
      rev(6, [put("/a", 6, "b")], 2_000),
      rev(7, [put("/a", 7, "c")], 3_000),
    ]);
    expect(await store.revisionAtTime(CLUSTER, 999)).toBeNull();
    expect(await store.revisionAtTime(CLUSTER, 2_000)).toBe(6);
    expect(await store.revisionAtTime(CLUSTER, 2_500)).toBe(6);
    expect(await store.revisionAtTime(CLUSTER, 10_000)).toBe(7);
    const history = await store.historyOf(CLUSTER, Buffer.from("/a"), { limit: 10 });
    expect(history.map((version) => version.arrivedAt)).toEqual([3_000, 2_000, 1_000, null]);
  });

  it("tells each revision's time: its arrival, else the nearest estimate at or below it, and finds a revision by estimated time", async () => {
    // Revisions 10-14 from etcd's retained history (estimates at 10 and 12, 13 hinted twice), 15-16 live.
    await store.appendRevisions(CLUSTER, HOLDER, [
      ...[10, 11, 12, 13, 14].map((revision) => rev(revision, [put("/t", revision, `v${revision}`)], null)),
      rev(15, [put("/t", 15, "v15")], 9_000),
      rev(16, [put("/t", 16, "v16")], 9_500),
    ]);
    await store.appendTimeEstimates(CLUSTER, HOLDER, [
      { revision: 10, time: 1_000 },
      { revision: 12, time: 3_000 },
      { revision: 13, time: 4_000 },
    ]);
    // A second estimate of a revision does not replace the first (a replay after a crash is idempotent).
    await store.appendTimeEstimates(CLUSTER, HOLDER, [{ revision: 13, time: 7_777 }]);
    const times = await store.timesOf(CLUSTER, [9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Object.fromEntries(times)).toEqual({
      10: { time: 1_000, estimated: true },
      11: { time: 1_000, estimated: true },
      12: { time: 3_000, estimated: true },
      13: { time: 4_000, estimated: true },
      14: { time: 4_000, estimated: true },
      15: { time: 9_000, estimated: false },
      16: { time: 9_500, estimated: false },
    });
    expect(await store.revisionAtEstimatedTime(CLUSTER, 999)).toBeNull();
    // 2,000: after 10's and 11's estimate (1,000), before 12's (3,000).
    expect(await store.revisionAtEstimatedTime(CLUSTER, 2_000)).toBe(11);
    expect(await store.revisionAtEstimatedTime(CLUSTER, 3_000)).toBe(12);
    // Past every estimate: up to the revision before the first live arrival.
    expect(await store.revisionAtEstimatedTime(CLUSTER, 8_000)).toBe(14);
    expect(await store.timesOf("elsewhere", [10])).toEqual(new Map());
    await expect(store.appendTimeEstimates(CLUSTER, "recorder-b", [{ revision: 11, time: 1 }])).rejects.toBeInstanceOf(
      RecorderLockLostError,
    );
  });

  it("lists one level at a revision: keys alive then and folders holding any, a name that is key and folder once, page by page", async () => {
    // A baseline at 10, then: /r/b/x deleted, /r/new created later, /r/c/ emptied, /r/d re-created.
    await store.appendBaseline(CLUSTER, HOLDER, 10, [
      put("/r/a", 3, "a"),
      put("/r/a/child", 4, "ac"),
      put("/r/a-b", 5, "ab"),
      put("/r/b/x", 6, "bx"),
      put("/r/b/y", 7, "by"),
      put("/r/c/only", 8, "c"),
      put("/r/d", 9, "d"),
      put("/other", 2, "o"),
    ]);
    await store.finishBaseline(CLUSTER, HOLDER, 10);
    await store.appendRevisions(CLUSTER, HOLDER, [
      rev(11, [del("/r/b/x", 11)]),
      rev(12, [put("/r/new", 12, "n"), del("/r/c/only", 12)]),
      rev(13, [del("/r/d", 13), del("/r/a/child", 13)]),
      rev(14, [put("/r/d", 14, "again")]),
    ]);
    const names = async (prefix: string, revision: number, limit = 100) => {
      const level = await store.listLevelAt(CLUSTER, { prefix: Buffer.from(prefix), revision, limit });
      return level.items.map((item) => `${item.name.toString()}${item.isKey ? "" : "/"}${item.hasChildren && item.isKey ? "+" : ""}`);
    };
    expect(await names("/r/", 10)).toEqual(["a+", "a-b", "b/", "c/", "d"]);
    expect(await names("/r/", 12)).toEqual(["a+", "a-b", "b/", "d", "new"]);
    expect(await names("/r/", 13)).toEqual(["a", "a-b", "b/", "new"]);
    expect(await names("/r/", 14)).toEqual(["a", "a-b", "b/", "d", "new"]);
    expect(await names("/r/b/", 10)).toEqual(["x", "y"]);
    expect(await names("/r/b/", 11)).toEqual(["y"]);
    expect(await names("", 10)).toEqual(["/"]);
    expect(await names("/", 12)).toEqual(["other", "r/"]);
    // Pages: each ends where the next starts, the last says it is the last.
    const seen: string[] = [];
    let cursor: Buffer | undefined;
    for (let page = 0; page < 10; page++) {
      const level = await store.listLevelAt(CLUSTER, { prefix: Buffer.from("/r/"), revision: 12, limit: 2, cursor });
      seen.push(...level.items.map((item) => item.name.toString()));
      if (!level.nextCursor) break;
      cursor = level.nextCursor;
    }
    expect(seen).toEqual(["a", "a-b", "b", "d", "new"]);
    expect((await store.listLevelAt(CLUSTER, { prefix: Buffer.from("/r/"), revision: 12, limit: 5 })).nextCursor).toBeNull();
  });

  it("lists a wide level in runs: leaves read together, a leaf's children found past the run, the same in any page size", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `/w/k${String(i).padStart(3, "0")}`);
    // k150 is a key and a folder, with a leaf between it and its subtree; k299's child is past every run.
    const extra = ["/w/k150-x", "/w/k150/child", "/w/k299/child", "/w/z/deep/1"];
    await store.appendBaseline(
      CLUSTER,
      HOLDER,
      400,
      [...keys, ...extra].map((key, i) => put(key, i + 1, "v")),
    );
    await store.finishBaseline(CLUSTER, HOLDER, 400);
    await store.appendRevisions(CLUSTER, HOLDER, [rev(401, [del("/w/k010", 401), del("/w/k299/child", 401)])]);
    const listAll = async (revision: number, limit: number) => {
      const seen: string[] = [];
      let cursor: Buffer | undefined;
      for (let page = 0; page < 400; page++) {
        const level = await store.listLevelAt(CLUSTER, { prefix: Buffer.from("/w/"), revision, limit, cursor });
        seen.push(...level.items.map((item) => `${item.name.toString()}${item.isKey ? (item.hasChildren ? "+" : "") : "/"}`));
        if (!level.nextCursor) return seen;
        cursor = level.nextCursor;
      }
      throw new Error("the pages did not end");
    };
    const expected = [...keys.map((key) => key.slice(3)), "k150-x", "z/"].sort();
    const marked = expected.map((name) => (name === "k150" || name === "k299" ? `${name}+` : name));
    const all = await listAll(400, 1000);
    expect(all).toEqual(marked);
    expect(await listAll(400, 7)).toEqual(all);
    expect(await listAll(400, 1)).toEqual(all);
    const later = marked.filter((name) => name !== "k010").map((name) => (name === "k299+" ? "k299" : name));
    expect(await listAll(401, 1000)).toEqual(later);
    expect(await listAll(401, 13)).toEqual(later);
  });

  it("keeps the folder index a dashboard saved, the newest one only", async () => {
    expect(await store.loadFolderIndex(CLUSTER)).toBeNull();
    await store.saveFolderIndex(CLUSTER, { revision: 20, savedAt: 1_000, data: Buffer.from([1, 2, 3]) });
    await store.saveFolderIndex(CLUSTER, { revision: 15, savedAt: 2_000, data: Buffer.from([9]) });
    expect(await store.loadFolderIndex(CLUSTER)).toEqual({ revision: 20, savedAt: 1_000, data: Buffer.from([1, 2, 3]) });
    await store.saveFolderIndex(CLUSTER, { revision: 25, savedAt: 3_000, data: Buffer.from([4, 0xff]) });
    expect(await store.loadFolderIndex(CLUSTER)).toEqual({ revision: 25, savedAt: 3_000, data: Buffer.from([4, 0xff]) });
    expect(await store.loadFolderIndex("other")).toBeNull();
  });

  it("keeps clusters apart", async () => {
    expect(await store.tryLockRecorder("other", HOLDER, 60_000)).toBe(true);
    await store.appendRevisions(CLUSTER, HOLDER, [rev(2, [put("/a", 2, "mine")])]);
    await store.appendRevisions("other", HOLDER, [rev(9, [put("/a", 9, "theirs")])]);
    expect((await store.historyOf(CLUSTER, Buffer.from("/a"), { limit: 10 })).map((version) => version.value.toString())).toEqual(["mine"]);
    expect(await store.lastRecordedRevision("other")).toBe(9);
    expect(await store.coverage("never-recorded")).toEqual({
      firstRevision: null,
      lastRevision: 0,
      recordingSince: null,
      baselines: [],
      gaps: [],
    });
  });
});

describe("archive store on sqlite: the file", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-file-"));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is versioned, survives reopening, and refuses a file from a newer schema", async () => {
    const store = openSqliteStore(dir);
    await store.tryLockRecorder(CLUSTER, HOLDER, 60_000);
    await store.appendRevisions(CLUSTER, HOLDER, [rev(2, [put("/a", 2, "kept")])]);
    await store.close();
    const raw = new Database(archiveFilePath(dir));
    expect(raw.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    const again = openSqliteStore(dir);
    expect((await again.versionAt(CLUSTER, Buffer.from("/a"), 2))?.value.toString()).toBe("kept");
    await again.close();
    const bump = new Database(archiveFilePath(dir));
    bump.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    bump.close();
    expect(() => openSqliteStore(dir)).toThrow(/newer etcdlens/);
  });
});
