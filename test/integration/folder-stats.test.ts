import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getStats } from "@/app/api/stats/route";
import type { StatsDto, StatsItemDto } from "@/lib/api/dto";
import { getCluster, type ClusterConnection } from "@/lib/etcd/client";
import { getFolderIndex, readCurrentRevision, type FolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { writeRatesOf } from "@/lib/etcd/folder-index/folder-tree";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Exact means exact: every folder's key count and bytes (the sum of its current values' sizes)
// must equal what a fresh read of every key and value says, and etcd's own count of the prefix,
// after concurrent creates, updates of other sizes, deletes and a lease expiring, both while the
// sizing pass runs (tiny pages with pauses, so the writes land in the middle of it) and after. The
// write counts must equal the writes this test made, counted on every folder of each key's path.

let etcd: EtcdProcess;
let writer: Etcd3;
let connection: ClusterConnection;
let index: FolderIndex;
/** Writes made since the index was built, per folder prefix ("" the root). */
const writesMade = new Map<string, number>();

type Folder = { keys: number; bytes: number };

function foldersOfKey(key: string): string[] {
  const prefixes = [""];
  for (let slash = key.indexOf("/"); slash >= 0; slash = key.indexOf("/", slash + 1)) prefixes.push(key.slice(0, slash + 1));
  return prefixes;
}

function countWrite(key: string): void {
  for (const prefix of foldersOfKey(key)) writesMade.set(prefix, (writesMade.get(prefix) ?? 0) + 1);
}

/** Every folder with its keys and value bytes, from one read of all keys and values. */
async function scanFolders(): Promise<Map<string, Folder>> {
  const all = await writer.getAll().exec();
  const folders = new Map<string, Folder>();
  for (const kv of all.kvs) {
    for (const prefix of foldersOfKey(kv.key.toString("latin1"))) {
      const folder = folders.get(prefix) ?? { keys: 0, bytes: 0 };
      folder.keys += 1;
      folder.bytes += kv.value.length;
      folders.set(prefix, folder);
    }
  }
  return folders;
}

const sizeOf = (i: number, round: number) => ((i * 37 + round * 101) % 900) + (i % 5 === 0 ? 0 : 1);
const valueOf = (i: number, round: number) => Buffer.alloc(sizeOf(i, round), 0x61 + (i % 26));

/** Keys in folders at several depths, a key that is also a folder, direct keys and bytes beyond ASCII. */
function keyOf(i: number): string {
  const shapes = [`/reg/pods/ns-${i % 4}/p-${i}`, `/reg/events/ns-${i % 3}/e-${i}`, `/reg/leaf-${i}`, `/deep/a/b/c/k-${i}`, `top-${i}`];
  return shapes[i % shapes.length];
}

async function put(key: string, value: Buffer): Promise<void> {
  await writer.put(key).value(value).exec();
}

/** A round of concurrent writes: every key of `keys` updated to a new size, a few created, some deleted. */
async function writeRound(keys: number[], round: number, deleted: number[]): Promise<void> {
  await Promise.all([
    ...keys.map(async (i) => {
      await put(keyOf(i), valueOf(i, round));
      countWrite(keyOf(i));
    }),
    ...deleted.map(async (i) => {
      await writer.delete().key(keyOf(i)).exec();
      countWrite(keyOf(i));
    }),
  ]);
}

async function expectExact(): Promise<void> {
  const current = await readCurrentRevision(connection);
  expect(await index.waitForRevision(current, 10_000)).toBe(true);
  const expected = await scanFolders();
  const ready = await index.acquire({ buildWaitMs: 10_000, catchUpMs: 10_000 });
  const tree = ready!.tree;
  expect(tree.folderCount).toBe(expected.size);
  const now = Date.now();
  for (const [prefix, folder] of expected) {
    const node = tree.folder(prefix);
    expect({ prefix, keys: node?.keyCount, bytes: node?.bytes }).toEqual({ prefix, ...folder });
    // etcd's own count of the prefix, as `etcdctl get --prefix --count-only` gives it.
    if (prefix !== "") expect(await writer.getAll().prefix(Buffer.from(prefix, "latin1")).count(), prefix).toBe(folder.keys);
    expect({ prefix, writes: writeRatesOf(node!, now).writes60 }).toEqual({ prefix, writes: writesMade.get(prefix) ?? 0 });
  }
}

async function statsOf(prefix: string): Promise<StatsDto> {
  const items: StatsItemDto[] = [];
  let cursor: string | null = null;
  let body: StatsDto;
  do {
    const answer = await callRoute(
      getStats,
      `/api/stats?prefix=${encodeKeyParam(Buffer.from(prefix))}&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(answer.status).toBe(200);
    body = answer.body;
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return { ...body, items };
}

beforeAll(async () => {
  etcd = await startTestEtcd("folder-stats");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  connection = getCluster();
  for (let at = 0; at < 400; at += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => put(keyOf(at + k), valueOf(at + k, 0))));
  await put("/reg/pods", Buffer.from("a key that is also a folder"));
  await put("/reg/\xff\x00bin/x", Buffer.alloc(77));
  index = getFolderIndex(connection);
  index.setScanOptions({ maxPageKeys: 50 });
  // Pages of 7 keys with a pause after each: the pass takes about 60 pages, over a second.
  index.setSizingOptions({ maxPageKeys: 7, pauseMs: 25 });
});

afterAll(async () => {
  index?.stop();
  writer?.close();
  await etcd?.stop();
});

describe("folder stats", () => {
  it("are exact while sizing runs and after, through concurrent writes, deletes and a lease that expires", async () => {
    const lease = writer.lease(2, { autoKeepAlive: false });
    const leased = Array.from({ length: 12 }, (_, i) => `/reg/leased/l-${i}`);
    await Promise.all(
      leased.map((key) =>
        lease
          .put(key)
          .value(Buffer.alloc(100 + key.length))
          .exec(),
      ),
    );
    // Built with the leased keys present: their expiry reaches the index as deletions.
    expect(await index.acquire({ buildWaitMs: 10_000, catchUpMs: 10_000 })).not.toBeNull();
    for (const key of leased) countWrite(key);
    expect(index.sizingStatus().state).toBe("sizing");

    // Writes while the pass runs: updates to other sizes, creations, deletions, a key of the pass's pages rewritten twice.
    for (let round = 1; round <= 3; round++) {
      await writeRound(
        Array.from({ length: 40 }, (_, k) => (k * 11 + round * 7) % 460),
        round,
        Array.from({ length: 8 }, (_, k) => 3 + k * 47 + round),
      );
    }
    const during = index.sizingStatus();
    expect(during.state, "the writes landed while the sizing pass ran").toBe("sizing");
    expect(during.sized).toBeLessThan(during.total);

    // The lease expires (etcd deletes its keys), and the pass ends.
    for (let waited = 0; (await writer.getAll().prefix("/reg/leased/").count()) > 0 && waited < 100; waited++) await delay(100);
    expect(await writer.getAll().prefix("/reg/leased/").count()).toBe(0);
    for (let waited = 0; index.sizingStatus().state !== "ready" && waited < 200; waited++) await delay(50);
    expect(index.sizingStatus()).toMatchObject({ state: "ready", failures: 0 });
    await expectExact();

    // And after it, from the feed alone.
    await writeRound([1, 2, 3, 50, 51, 460, 461], 9, [10, 20, 30]);
    await put("/reg/pods", Buffer.alloc(5));
    countWrite("/reg/pods");
    await expectExact();

    // The API lists each level as the tree does, with the same figures.
    const expected = await scanFolders();
    const all = await writer.getAll().exec();
    const sizes = new Map(all.kvs.map((kv) => [kv.key.toString("latin1"), kv.value.length]));
    for (const prefix of ["", "/", "/reg/", "/reg/pods/", "/deep/a/b/c/"]) {
      const stats = await statsOf(prefix);
      expect(stats.sizing).toMatchObject({ state: "ready" });
      expect(stats.level).toMatchObject({ keys: expected.get(prefix)!.keys, bytes: expected.get(prefix)!.bytes });
      expect(stats.keyspace).toMatchObject({ keys: expected.get("")!.keys, bytes: expected.get("")!.bytes });
      // The children add up to the level, a key that is also a folder counting itself.
      expect(
        stats.items.reduce((sum, item) => sum + item.bytes!, 0),
        prefix,
      ).toBe(expected.get(prefix)!.bytes);
      expect(
        stats.items.reduce((sum, item) => sum + item.keys!, 0),
        prefix,
      ).toBe(expected.get(prefix)!.keys);
      for (const item of stats.items) {
        const key = Buffer.from(item.keyBase64, "base64").toString("latin1");
        const folder = expected.get(key + "/");
        expect({ key, keys: item.keys, bytes: item.bytes }).toEqual({
          key,
          keys: (folder?.keys ?? 0) + (item.isKey ? 1 : 0),
          bytes: (folder?.bytes ?? 0) + (item.isKey ? sizes.get(key)! : 0),
        });
        expect(item.writesPerMinute === null, key).toBe(!item.isFolder);
      }
    }
    // Rates per folder: this test's writes over the hour, and at most as many in the last minute.
    const pods = (await statsOf("/reg/")).items.find((item) => item.name === "pods")!;
    const podWrites = writesMade.get("/reg/pods/")!;
    expect(pods.writesPerMinute60).toBe(Math.round((podWrites / 60) * 100) / 100);
    expect(pods.writesPerMinute).toBeGreaterThan(0);
    expect(pods.writesPerMinute).toBeLessThanOrEqual(podWrites);

    // Ranked by bytes: the largest folders first, and the largest values with their exact sizes.
    const ranked = await callRoute(getStats, `/api/stats?prefix=${encodeKeyParam(Buffer.from("/reg/"))}&sort=bytes&limit=2`);
    expect(ranked.status).toBe(200);
    const byBytes = [...expected].filter(([prefix]) => /^\/reg\/[^/]+\/$/.test(prefix)).sort((a, b) => b[1].bytes - a[1].bytes);
    expect(ranked.body.items.map((item: StatsItemDto) => item.bytes)).toEqual(byBytes.slice(0, 2).map(([, folder]) => folder.bytes));
    const largest = [...sizes].filter(([key]) => key.startsWith("/reg/")).sort((a, b) => b[1] - a[1])[0];
    expect(ranked.body.largestKeys[0].bytes).toBe(largest[1]);
  });

  it("answers a bad sort with a 400 that names it", async () => {
    const { status, body } = await callRoute(getStats, "/api/stats?prefix=%2F&sort=size");
    expect(status).toBe(400);
    expect(body.error.message).toContain("sort");
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
