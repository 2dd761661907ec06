import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { getArchiveStore, recorderState, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import type { ArchiveCoverage } from "@/lib/archive/store";
import type { ChangesDto, HistoryDto, HistoryItemDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Every view reaches back past etcd's compaction into the archive: the dashboard's own recorder
// (lib/archive/service.ts, a real SQLite file) records a history, etcd compacts it all away, and
// /api/history (every page), /api/key?rev= and /api/diff still answer every revision, saying they
// read from the archive. A revision below the archive is a 410 naming the archive's oldest; a key
// deleted and re-created across the compaction is one history; revisions the recorder missed while
// it was stopped and etcd compacted are a gap the history names. Run on each engine by
// archive-reads.test.ts (SQLite) and archive-reads-postgres.test.ts.

const CLUSTER = "default";
let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value: string) => Number((await writer.put(key).value(value)).header.revision);
const del = async (key: string) => Number((await writer.delete().key(key)).header.revision);
const deployment = (replicas: number) => JSON.stringify({ kind: "Deployment", spec: { replicas } });

async function coverage(): Promise<ArchiveCoverage> {
  return (await getArchiveStore())!.coverage(CLUSTER);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes a filler so the recorder has a revision to reach, and waits until it has stored it. */
async function waitRecorded(): Promise<number> {
  const through = await put("/ar/filler", String(Date.now()));
  await waitFor(`the archive holds revision ${through}`, async () => (await coverage()).lastRevision >= through);
  return through;
}

async function compactEtcd(): Promise<number> {
  const revision = await put("/ar/filler", "compaction");
  await writer.kv.compact({ revision: String(revision), physical: true });
  return revision;
}

async function wholeHistory(key: string, limit: number): Promise<{ pages: HistoryDto[]; items: HistoryItemDto[] }> {
  const pages: HistoryDto[] = [];
  let before = "";
  for (;;) {
    const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}&limit=${limit}${before}`);
    expect(status, JSON.stringify(body)).toBe(200);
    pages.push(body);
    if (body.next === null) break;
    before = `&before=${body.next}`;
  }
  return { pages, items: pages.flatMap((page) => page.items) };
}

const written: Record<string, { revision: number; value: string | null }[]> = { web: [], cycle: [], early: [] };
const revisions = { belowArchive: 0, archiveStart: 0, firstCompaction: 0, secondCompaction: 0, inGap: 0 };

/**
 * The scenario on one engine. `prepareArchive` points the dashboard's archive at it (before its
 * first use) and returns how to remove it afterwards.
 */
export function describeArchiveReads(engine: "sqlite" | "postgres", prepareArchive: () => Promise<() => Promise<void>>): void {
  let removeArchive: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    removeArchive = await prepareArchive();
    etcd = await startTestEtcd("archive-reads");
    process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
    writer = seedingClient(etcd);
    const record = (name: string, revision: number, value: string | null) => written[name].push({ revision, value });

    // History etcd compacts before the archive ever starts: below what either can answer later.
    revisions.belowArchive = await put("/ar/early", "e1");
    record("early", revisions.belowArchive, "e1");
    record("early", await put("/ar/early", "e2"), "e2");
    revisions.archiveStart = await compactEtcd();

    startArchiveRecorders(() => undefined);
    await waitFor("the recorder records", () => recorderState(CLUSTER)?.state === "recording");
    for (let replicas = 1; replicas <= 5; replicas++) record("web", await put("/ar/web", deployment(replicas)), deployment(replicas));
    record("cycle", await put("/ar/cycle", "c1"), "c1");
    record("cycle", await put("/ar/cycle", "c2"), "c2");
    record("cycle", await del("/ar/cycle"), null);
    await waitRecorded();
    revisions.firstCompaction = await compactEtcd();
    // Re-created after the compaction: etcd alone no longer knows the key's first life.
    record("cycle", await put("/ar/cycle", "c3"), "c3");
    record("web", await put("/ar/web", deployment(6)), deployment(6));
    await waitRecorded();

    // The recorder stops; etcd compacts what it wrote meanwhile, so the restarted recorder records a gap.
    await stopArchiveRecorders();
    revisions.inGap = await put("/ar/other", "unrecorded");
    record("web", await put("/ar/web", deployment(7)), deployment(7));
    revisions.secondCompaction = await compactEtcd();
    startArchiveRecorders(() => undefined);
    await waitFor("the gap is recorded", async () => (await coverage()).gaps.length > 0);
    await waitRecorded();
    record("web", await put("/ar/web", deployment(8)), deployment(8));
  }, 90_000);

  afterAll(async () => {
    await stopArchiveRecorders();
    await (await getArchiveStore())?.close();
    writer?.close();
    await etcd?.stop();
    await removeArchive?.();
  });

  describe(`views past etcd's compaction (${engine})`, () => {
    it("lists one history per key across etcd and the archive, every page, newest first, each entry opening at its own revision", async () => {
      const { pages, items } = await wholeHistory("/ar/web", 3);
      const expected = written.web.slice().reverse();
      expect(items.map((item) => item.revision)).toEqual(expected.map((entry) => entry.revision));
      expect(items.map((item) => item.openRevision)).toEqual(expected.map((entry) => entry.revision));
      expect(items.map((item) => item.summary)).toEqual([
        "spec.replicas: 7 → 8",
        "spec.replicas: 6 → 7",
        "spec.replicas: 5 → 6",
        "spec.replicas: 4 → 5",
        "spec.replicas: 3 → 4",
        "spec.replicas: 2 → 3",
        "spec.replicas: 1 → 2",
        "created",
      ]);
      expect(pages.map((page) => page.readFrom.source)).toEqual(["etcd+archive", "archive", "archive"]);
      expect(pages[0].readFrom.archive).toMatchObject({ engine, firstRevision: expect.any(Number) });
      expect(pages[0].readFrom.archive!.recordingSince).toMatch(/^\d{4}-\d\d-\d\dT/);
      // The archive recorded this key from its creation: nothing is said to be compacted away.
      expect(pages.at(-1)!.compactRevision).toBeUndefined();
    });

    it("names the revisions the archive missed between the entries around them, on that page only", async () => {
      const { pages } = await wholeHistory("/ar/web", 3);
      const [gap] = (await coverage()).gaps;
      expect(gap.from).toBeLessThanOrEqual(revisions.inGap);
      expect(gap.to).toBe(revisions.secondCompaction - 1);
      expect(pages[0].gaps).toEqual([{ from: gap.from, to: gap.to }]);
      // It lies between the 6th version (recorded) and the 7th (known from the fresh baseline).
      expect(pages[0].items[2].revision).toBeLessThan(gap.from);
      expect(pages[0].items[1].revision).toBeGreaterThanOrEqual(gap.from);
      expect(pages.slice(1).map((page) => page.gaps)).toEqual([undefined, undefined]);
    });

    it("opens every version at its revision from the archive once etcd has compacted it", async () => {
      const versions = [...written.web.map((entry) => ({ key: "/ar/web", ...entry })), { key: "/ar/early", ...written.early[1] }];
      for (const { key, revision, value } of versions) {
        const { status, body } = await callRoute(getKey, `/api/key?key=${q(key)}&rev=${revision}`);
        expect(status, JSON.stringify(body)).toBe(200);
        expect(Buffer.from(body.raw.base64, "base64").toString()).toBe(value);
        expect(body.kv.modRevision).toBe(revision);
        expect(body.readFrom.source).toBe(revision < revisions.secondCompaction ? "archive" : "etcd");
      }
      // The download of an archived value is its exact bytes too.
      const raw = await callRoute(getRaw, `/api/raw?key=${q("/ar/web")}&rev=${written.web[0].revision}`);
      expect(raw.status).toBe(200);
      expect(raw.body.toString()).toBe(written.web[0].value);

      // Between two versions, the older one, as etcd would have answered.
      const between = await callRoute(getKey, `/api/key?key=${q("/ar/web")}&rev=${written.web[4].revision + 1}`);
      expect(written.web[5].revision).toBeGreaterThan(written.web[4].revision + 1);
      expect(between.body.kv.modRevision).toBe(written.web[4].revision);
    });

    it("refuses a revision below the archive with a 410 naming the archive's oldest, and one inside its gap naming the gap", async () => {
      const below = await callRoute(getKey, `/api/key?key=${q("/ar/early")}&rev=${revisions.belowArchive}`);
      expect(below.status).toBe(410);
      expect(below.body.error.code).toBe("compacted");
      expect(below.body.error.compactRevision).toBe(revisions.archiveStart);
      expect(below.body.error.compactRevision).toBeLessThan(revisions.secondCompaction);
      expect(below.body.error.message).toContain(`the oldest revision still available is ${revisions.archiveStart}`);
      // Since when the archive has recorded, and that before it the key's state is unknown (not that it was absent).
      const { recordingSince } = await coverage();
      expect(below.body.error.message).toContain(
        `the archive began at revision ${revisions.archiveStart} (recording since ${new Date(recordingSince!).toISOString()}): before that, the key's state is unknown`,
      );

      const inGap = await callRoute(getKey, `/api/key?key=${q("/ar/web")}&rev=${revisions.inGap}`);
      expect(inGap.status).toBe(410);
      expect(inGap.body.error.message).toMatch(/was not recorded \(the archive misses revisions \d+ to \d+\)/);

      const diff = await callRoute(
        getDiff,
        `/api/diff?key=${q("/ar/early")}&from=${revisions.belowArchive}&to=${written.early[1].revision}`,
      );
      expect(diff.status).toBe(410);
      expect(diff.body.error.compactRevision).toBe(revisions.archiveStart);

      const history = await callRoute(getHistory, `/api/history?key=${q("/ar/early")}&before=${written.early[1].revision}`);
      expect(history.status).toBe(410);
      expect(history.body.error.compactRevision).toBe(revisions.archiveStart);
      expect(history.body.error.message).toContain(`the archive began at revision ${revisions.archiveStart}`);

      // A future revision is refused as before, whatever the archive holds.
      const future = await callRoute(getKey, `/api/key?key=${q("/ar/web")}&rev=${revisions.secondCompaction + 1000}`);
      expect(future.status).toBe(400);
      expect(future.body.error.code).toBe("future_revision");
    });

    it("answers a key that did not exist yet at a revision the archive holds whole with a 404 at that revision, not a 410", async () => {
      // After the archive's baseline and before /ar/web's creation; etcd compacted it long ago.
      const before = written.web[0].revision - 1;
      expect(before).toBeGreaterThanOrEqual(revisions.archiveStart);
      const { status, body } = await callRoute(getKey, `/api/key?key=${q("/ar/web")}&rev=${before}`);
      expect(status, JSON.stringify(body)).toBe(404);
      expect(body.error).toMatchObject({ code: "not_found", message: `no key /ar/web at revision ${before}` });
      const diff = await callRoute(getDiff, `/api/diff?key=${q("/ar/web")}&from=${before}&to=${written.web[0].revision}`);
      expect(diff.status, JSON.stringify(diff.body)).toBe(200);
      expect(diff.body.from.kv).toBeNull();
      expect(diff.body.readFrom.source).toBe("archive");
    });

    it("diffs two archived revisions, and an archived one against etcd's", async () => {
      const [first, , , , fifth] = written.web;
      const archived = await callRoute(getDiff, `/api/diff?key=${q("/ar/web")}&from=${first.revision}&to=${fifth.revision}`);
      expect(archived.status, JSON.stringify(archived.body)).toBe(200);
      expect(archived.body.readFrom.source).toBe("archive");
      expect(archived.body.changes).toMatchObject([{ path: "spec.replicas", kind: "changed", old: 1, new: 5 }]);

      const newest = written.web.at(-1)!;
      const mixed = await callRoute(getDiff, `/api/diff?key=${q("/ar/web")}&from=${fifth.revision}&to=${newest.revision}`);
      expect(mixed.status).toBe(200);
      expect(mixed.body.readFrom.source).toBe("etcd+archive");
      expect(mixed.body.changes).toMatchObject([{ path: "spec.replicas", old: 5, new: 8 }]);
    });

    it("keeps a key deleted before the compaction and re-created after it as one history", async () => {
      const { items } = await wholeHistory("/ar/cycle", 2);
      const expected = written.cycle.slice().reverse();
      expect(items.map((item) => [item.revision, item.type])).toEqual(
        expected.map((entry) => [entry.revision, entry.value ? "PUT" : "DELETE"]),
      );
      expect(items.map((item) => item.summary)).toEqual(["re-created", "deleted", null, "created"]);
      expect(items[0].recreated).toBe(true);
      expect(items[1].lifecycle).toBe(written.cycle[0].revision);

      const deleted = written.cycle[2].revision;
      const gone = await callRoute(getKey, `/api/key?key=${q("/ar/cycle")}&rev=${deleted}`);
      expect(gone.status).toBe(404);
      const diff = await callRoute(getDiff, `/api/diff?key=${q("/ar/cycle")}&from=${written.cycle[1].revision}&to=${deleted}`);
      expect(diff.status).toBe(200);
      expect(diff.body.to.kv).toBeNull();
      expect(diff.body.from.value.text).toBe("c2");
    });

    it("says history is compacted only before the oldest revision the archive has", async () => {
      const { pages, items } = await wholeHistory("/ar/early", 10);
      expect(items.map((item) => [item.revision, item.openRevision])).toEqual([[written.early[1].revision, written.early[1].revision]]);
      expect(pages[0].compactRevision).toBe(revisions.archiveStart);
    });

    // Last: it compacts etcd once more.
    it("says what an update in etcd's part of the feed changed when only the archive holds the version it replaced", async () => {
      await put("/ar/feed", deployment(1));
      // Compacted at the update itself: etcd can no longer read the key at the revision before it.
      const update = await put("/ar/feed", deployment(2));
      await waitRecorded();
      await writer.kv.compact({ revision: String(update), physical: true });
      const { status, body } = await callRoute(getChanges, `/api/changes?prefix=${q("/ar/feed")}&from=${update}`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect((body as ChangesDto).items.map((item) => [item.revision, item.summary])).toEqual([[update, "spec.replicas: 1 → 2"]]);
    });
  });
}
