import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getFolderIndex, readCurrentRevision, type FolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { listChildren, listChildrenByScan } from "@/lib/etcd/list-children";
import type { ChildEntry } from "@/lib/etcd/tree-level";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { expectIndexMatchesScan as expectFolderCounts } from "./folder-scan";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// The folder index must stay exactly what a fresh scan of etcd says: every folder with its key
// count, and every level listed like the scanning lister lists it. Each test changes the keyspace
// in a way the index has to follow (concurrent creates and deletes, lease expiry, a compaction
// behind its watch) and then compares with a scan.

let etcd: EtcdProcess;
let writer: Etcd3;
let connection: ClusterConnection;
let index: FolderIndex;

async function listAll(list: typeof listChildren, prefix: string, revision?: number): Promise<ChildEntry[]> {
  const items: ChildEntry[] = [];
  let cursor: Uint8Array | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await list(connection, { prefix: Buffer.from(prefix, "latin1"), cursor, limit: 7, revision });
    expect(page.indexing).toBeUndefined();
    items.push(...page.items);
    if (!page.nextCursor) return items;
    cursor = page.nextCursor;
  }
  throw new Error("listing did not end");
}

const describeEntry = (item: ChildEntry) =>
  `${Buffer.from(item.name).toString("latin1")}|${item.isKey ? "key" : ""}|${item.hasChildren ? "folder" : ""}`;

async function expectIndexMatchesScan(): Promise<void> {
  const { expected } = await expectFolderCounts(index, connection, writer, 10_000);
  // Every level lists like the scan at the same revision, in key order, with exact counts.
  for (const [prefix, folder] of expected) {
    const fromIndex = await listAll(listChildren, prefix);
    const revision = (await listChildren(connection, { prefix: Buffer.from(prefix, "latin1"), limit: 1 })).revision;
    const fromScan = await listAll(listChildrenByScan, prefix, revision);
    expect(fromIndex.map(describeEntry), prefix).toEqual(fromScan.map(describeEntry));
    const counted = fromIndex.filter((item) => item.hasChildren).map((item) => item.keyCount);
    const childPrefix = (item: ChildEntry) => Buffer.from(item.key).toString("latin1") + "/";
    expect(counted).toEqual(fromIndex.filter((item) => item.hasChildren).map((item) => expected.get(childPrefix(item))!.keyCount));
    expect(folder.keyCount).toBeGreaterThan(0);
  }
}

/** Folder names that sort between each other: ns-1/ is followed by ns-1-canary/ and ns-10/. */
function trapKeys(root: string, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const ns = ["ns-1", "ns-1-canary", "ns-10", "ns-1.a", `ns-${i % 13}`][i % 5];
    keys.push(`${root}/events/${ns}/ev-${i}`);
    if (i % 7 === 0) keys.push(`${root}/events/${ns}`); // a key that is also a folder
    if (i % 11 === 0) keys.push(`${root}/events/leaf-${i}`); // a level mixing keys and folders
    if (i % 17 === 0) keys.push(`${root}/deep/${i % 3}/a/b/c-${i}`);
  }
  return keys;
}

async function putAll(keys: string[], lease?: string): Promise<void> {
  for (let at = 0; at < keys.length; at += 100) {
    const batch = keys.slice(at, at + 100);
    await Promise.all(batch.map((key) => (lease ? writer.put(key).value("v").lease(lease).exec() : writer.put(key).value("v").exec())));
  }
}

beforeAll(async () => {
  etcd = await startTestEtcd("folder-index");
  writer = seedingClient(etcd);
  connection = connectionTo(etcd, { requestTimeoutMs: 10_000 });
  await putAll(trapKeys("/base", 600));
  index = getFolderIndex(connection);
  // Pages of at most 7 keys, three ranges at once: the build narrows, grows and continues its
  // ranges many times over, answered in any order, as on a large cluster with pages of tens of
  // thousands of keys.
  index.setScanOptions({ maxPageKeys: 7, concurrency: 3 });
  await index.rebuild();
});

afterAll(async () => {
  index?.stop();
  connection?.client.close();
  writer?.close();
  await etcd?.stop();
});

describe("the folder index", () => {
  it("matches a fresh scan after it is built from many small narrow ranges read at once", async () => {
    await expectIndexMatchesScan();
  });

  it("matches a fresh scan after it is built with pages larger than the keyspace", async () => {
    index.setScanOptions({});
    await index.rebuild();
    await expectIndexMatchesScan();
    index.setScanOptions({ maxPageKeys: 7, concurrency: 3 });
    await index.rebuild();
  });

  it("stays exact under concurrent creates, updates and deletes", async () => {
    const created = trapKeys("/busy", 900);
    const existing = trapKeys("/base", 600);
    await Promise.all([
      putAll(created),
      // Deleting whole folders (and the keys that are also folders) while others are created.
      writer.delete().prefix("/base/events/ns-1/").exec(),
      Promise.all(existing.filter((_, i) => i % 3 === 0).map((key) => writer.delete().key(key).exec())),
      Promise.all(existing.filter((_, i) => i % 3 === 1).map((key) => writer.put(key).value("updated").exec())),
      writer.put("/busy/events/ns-1").value("created as a key first").exec(),
    ]);
    await Promise.all(created.filter((_, i) => i % 4 === 0).map((key) => writer.delete().key(key).exec()));
    await expectIndexMatchesScan();
  });

  it("removes keys whose lease expired", async () => {
    const lease = writer.lease(2, { autoKeepAlive: false });
    const leaseId = await lease.grant();
    const expiring = trapKeys("/leased", 120);
    await putAll(expiring, leaseId);
    const before = (await index.acquire({ buildWaitMs: 5_000, catchUpMs: 5_000 }))!.tree.folder("/leased/")?.keyCount;
    expect(before).toBe(new Set(expiring).size);
    const deadline = Date.now() + 15_000;
    while ((await writer.getAll().prefix("/leased/").count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await writer.getAll().prefix("/leased/").count()).toBe(0);
    await expectIndexMatchesScan();
    expect((await index.acquire({ buildWaitMs: 5_000, catchUpMs: 5_000 }))!.tree.folder("/leased/")).toBeUndefined();
  });

  it("rebuilds itself when etcd compacted the events its watch still needed", async () => {
    const buildsBefore = index.status().state === "ready" ? (index.status() as { builds: number }).builds : 0;
    index.pauseWatch();
    await putAll(trapKeys("/after-compaction", 300));
    await writer.delete().prefix("/busy/deep/").exec();
    const current = await readCurrentRevision(connection);
    await writer.kv.compact({ revision: current, physical: true });
    index.resumeWatch();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const status = index.status();
      if (status.state === "ready" && status.builds > buildsBefore) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = index.status();
    expect(status.state === "ready" && status.builds).toBe(buildsBefore + 1);
    await expectIndexMatchesScan();
  });
});
