import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { listChildren } from "@/lib/etcd/list-children";
import type { ChildEntry } from "@/lib/etcd/tree-level";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { connectionTo, seedingClient, sizingFinished, startTestEtcd } from "./support";

// How many requests one level costs etcd. A level that mixes keys and folders used to cost one
// Range per gap between folders at the current revision, and two per entry at a past revision
// (one to find it, one to ask whether a key has children or a folder is also a key): 8 and 28
// reads for this 13-entry level before the reads were sent as one transaction. Counted on
// etcd's own /metrics, so the figure is what etcd served, whatever the client library does.

let etcd: EtcdProcess;
let writer: Etcd3;
let connection: ClusterConnection;

/** etcd's count of unary reads it answered (Range and Txn), from its Prometheus /metrics. */
async function readRequests(): Promise<number> {
  const text = await (await fetch(`${etcd.endpoint}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^grpc_server_handled_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (match && /grpc_method="(Range|Txn)"/.test(match[1])) total += Number(match[2]);
  }
  return total;
}

async function requestsFor(list: () => Promise<unknown>): Promise<number> {
  const before = await readRequests();
  await list();
  return (await readRequests()) - before;
}

const describeEntry = (item: ChildEntry) =>
  `${Buffer.from(item.name).toString("latin1")}${item.isKey ? " key" : ""}${item.hasChildren ? " folder" : ""}`;

// 13 entries: keys and folders alternate, so every folder has a gap of keys before it; "b" and
// "f" are both a key and a folder.
const LEVEL = ["a", "b", "b/x", "c/1", "d", "e/1", "e/2", "f", "f/y", "g/1", "h", "i/1", "j", "k/1", "l", "m/1"];
const EXPECTED = [
  "a key",
  "b key folder",
  "c folder",
  "d key",
  "e folder",
  "f key folder",
  "g folder",
  "h key",
  "i folder",
  "j key",
  "k folder",
  "l key",
  "m folder",
];

describe("one level of the tree, as etcd sees it", () => {
  let pastRevision: number;

  beforeAll(async () => {
    etcd = await startTestEtcd("level-reads");
    writer = seedingClient(etcd);
    for (const name of LEVEL) await writer.put(`/mixed/${name}`).value("v");
    pastRevision = Number((await writer.get("/mixed/a").exec()).header.revision);
    await writer.put("/mixed/zz").value("later");
    connection = connectionTo(etcd);
    await getFolderIndex(connection).acquire({ buildWaitMs: 10_000, catchUpMs: 2_000 });
    // The sizing pass's reads of every value must not be counted as the level's.
    await sizingFinished(connection);
  }, 60_000);

  afterAll(async () => {
    writer?.close();
    connection?.client.close();
    await etcd?.stop();
  });

  it("lists a mixed level at the current revision in one read of its keys", async () => {
    let items: ChildEntry[] = [];
    const requests = await requestsFor(async () => {
      items = (await listChildren(connection, { prefix: Buffer.from("/mixed/"), limit: 200 })).items;
    });
    expect(items.map(describeEntry)).toEqual([...EXPECTED, "zz key"]);
    // One read asks etcd's current revision (is the index caught up?), one reads the level's keys.
    expect(requests).toBe(2);
  });

  it("lists the same level at a past revision with a bounded number of reads", async () => {
    let items: ChildEntry[] = [];
    const requests = await requestsFor(async () => {
      items = (await listChildren(connection, { prefix: Buffer.from("/mixed/"), limit: 200, revision: pastRevision })).items;
    });
    expect(items.map(describeEntry)).toEqual(EXPECTED);
    // Without the index the walk takes about one narrow read per entry (wide reads would make
    // etcd count whole subtrees); describing all 13 entries takes one more, not one per entry.
    expect(requests).toBeLessThanOrEqual(EXPECTED.length + 1);
  });
});
