import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getTable } from "@/app/api/table/route";
import type { ChildrenDto } from "@/lib/api/dto";
import { archiveFolderIndexKeeper } from "@/lib/archive/folder-index-store";
import { archiveCoverage, getArchiveStore, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import type { ClusterConnection } from "@/lib/etcd/client";
import { FolderIndex, type FolderIndexKeeper, type ReadyIndex } from "@/lib/etcd/folder-index/folder-index";
import { listLevelFromIndex } from "@/lib/etcd/folder-index/list-level";
import { getServerSettings } from "@/lib/env";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, connectionTo, seedingClient, startTestEtcd } from "./support";

// The tree at a revision etcd has compacted, read from the archive the dashboard records (a SQLite
// file in a temp folder, test/support/isolate-archive.ts), and the folder index kept in that
// archive across restarts: caught up from etcd's history, or from the archive's once etcd has
// compacted it, and built by a full keys-only pass only when neither holds the revisions.

let etcd: EtcdProcess;
let writer: Etcd3;
let cluster: string;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value = "v") => Number((await writer.put(key).value(value).exec()).header.revision);
const remove = async (key: string) => Number((await writer.delete().key(key).exec()).header.revision);

async function waitForArchive(revision: number): Promise<void> {
  for (;;) {
    const coverage = await archiveCoverage(cluster);
    if (coverage && coverage.baselines.length > 0 && coverage.lastRevision >= revision) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function listKeys(query: string): Promise<{ status: number; body: ChildrenDto & { error?: { message: string } } }> {
  return callRoute(getKeys, `/api/keys?${query}`);
}

/** A Pod as JSON (kube-apiserver writes protobuf; JSON is decoded the same way), its name the key's last segment. */
const pod = (key: string, phase = "Running") =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: key.split("/").pop(), namespace: "at", creationTimestamp: "2026-12-01T10:00:00Z" },
    status: { phase },
  });

const names = (page: ChildrenDto) => page.items.map((item) => `${item.name}${item.isKey ? "" : "/"}`);

beforeAll(async () => {
  etcd = await startTestEtcd("archive-tree");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_RECORDER_LOCK_TTL_MS = "3000";
  writer = seedingClient(etcd);
  cluster = getServerSettings().clusters[0].name;
});

afterAll(async () => {
  await stopArchiveRecorders();
  writer?.close();
  await etcd?.stop();
});

describe("the tree at an archived revision", () => {
  it("lists a level etcd compacted from the archive, as etcd listed it: a key deleted since there, one created since absent, in pages", async () => {
    for (const key of ["/at/pods/a", "/at/pods/b", "/at/cm/x", "/at/doomed"]) await put(key, pod(key));
    startArchiveRecorders(() => undefined);
    await waitForArchive(0);
    const baseline = (await archiveCoverage(cluster))!.baselines[0];
    const at = await put("/at/pods/c", pod("/at/pods/c"));
    await remove("/at/doomed");
    await put("/at/later");
    const last = await put("/at/pods/a", pod("/at/pods/a", "Succeeded"));
    await waitForArchive(last);

    const fromEtcd = await listKeys(`prefix=${q("/at/")}&rev=${at}`);
    expect(fromEtcd.status, JSON.stringify(fromEtcd.body)).toBe(200);
    expect(fromEtcd.body.readFrom?.source).toBe("etcd");
    const tableQuery = `/api/table?prefix=${q("/at/pods/")}&rev=${at}`;
    const tableFromEtcd = await callRoute(getTable, tableQuery);
    expect(tableFromEtcd.status, JSON.stringify(tableFromEtcd.body)).toBe(200);
    await writer.kv.compact({ revision: String(last), physical: true });

    const fromArchive = await listKeys(`prefix=${q("/at/")}&rev=${at}`);
    expect(fromArchive.status, JSON.stringify(fromArchive.body)).toBe(200);
    expect(names(fromArchive.body)).toEqual(["cm/", "doomed", "pods/"]);
    expect(fromArchive.body.items).toEqual(fromEtcd.body.items);
    expect(fromArchive.body.revision).toBe(at);
    expect(fromArchive.body.readFrom).toMatchObject({ source: "archive", archive: { engine: "sqlite", gaps: [] } });
    // The kubectl-style table of a folder reads its values there too, as etcd had them then.
    const tableFromArchive = await callRoute(getTable, tableQuery);
    expect(tableFromArchive.status, JSON.stringify(tableFromArchive.body)).toBe(200);
    expect(tableFromArchive.body).toEqual(tableFromEtcd.body);
    expect(tableFromArchive.body.resource?.kind).toBe("Pod");
    expect(tableFromArchive.body.rows.map((row: { name: string }) => row.name)).toEqual(["a", "b", "c"]);

    const pages: string[] = [];
    let cursor = "";
    for (let page = 0; page < 5; page++) {
      const { status, body } = await listKeys(`prefix=${q("/at/pods/")}&rev=${at}&limit=1${cursor}`);
      expect(status).toBe(200);
      pages.push(...names(body));
      if (!body.nextCursor) break;
      cursor = `&cursor=${body.nextCursor}`;
    }
    expect(pages).toEqual(["a", "b", "c"]);

    // A prefix without its slash, and a filter, read the archive the same way.
    const listed = await listKeys(`prefix=${q("/at/pods")}&rev=${at}`);
    expect(listed.body.listed?.prefix).toBe("/at/pods/");
    expect(names(listed.body)).toEqual(["a", "b", "c"]);
    expect(names((await listKeys(`prefix=${q("/at/")}&rev=${at}&contains=oo`)).body)).toEqual(["doomed"]);

    // Before the archive's first baseline nothing lists the whole keyspace.
    const before = await listKeys(`prefix=${q("/at/")}&rev=${baseline - 1}`);
    expect(before.status).toBe(410);
    expect(before.body.error?.message).toMatch(new RegExp(`oldest revision still available is ${baseline}\\b`));
    const since = new Date((await archiveCoverage(cluster))!.recordingSince!).toISOString();
    expect(before.body.error?.message).toContain(`the archive holds every key from revision ${baseline} on (recording since ${since})`);
  });
});

describe("the folder index kept in the archive", () => {
  const folderCounts = (ready: ReadyIndex) =>
    ready.tree
      .entries()
      .map(([prefix, keyCount, leafCount]) => `${prefix} ${keyCount} ${leafCount}`)
      .sort();
  /** A dashboard (re)starting its index: it is ready, built or restored, when this returns. */
  const start = async (connection: ClusterConnection, keeper: FolderIndexKeeper | null) => {
    const index = new FolderIndex(connection, keeper);
    const ready = await index.acquire({ buildWaitMs: 20_000, catchUpMs: 5_000 });
    if (!ready) throw new Error("the folder index was not ready");
    return { index, ready };
  };
  /** What a keys-only pass at the current revision finds, to compare a restored index with. */
  const freshCounts = async (connection: ClusterConnection) => {
    const fresh = await start(connection, null);
    fresh.index.stop();
    return folderCounts(fresh.ready);
  };

  it("is loaded on restart and caught up from etcd, else from the archive; a full pass only when neither holds the revisions", async () => {
    const connection = connectionTo(etcd);
    const store = (await getArchiveStore())!;
    const keeper = archiveFolderIndexKeeper(store, cluster);
    for (const key of ["/rs/old", "/rs/keep/a", "/rs/keep/b"]) await put(key);

    const first = await start(connection, keeper);
    expect(first.index.status()).toMatchObject({ state: "ready", restoredFrom: null });
    await first.index.save();
    const savedAt = (await store.loadFolderIndex(cluster))!.revision;
    first.index.stop();

    // Down for a while: a key created in a new folder, one deleted, one updated.
    await put("/rs/new/k1");
    await remove("/rs/old");
    await put("/rs/keep/a", "changed");
    const second = await start(connection, keeper);
    expect(second.index.status()).toMatchObject({ state: "ready", restoredFrom: savedAt, builds: 1 });
    const level = await listLevelFromIndex(connection, second.ready, { prefix: Buffer.from("/rs/"), limit: 10 });
    expect(level.items.map((item) => `${Buffer.from(item.name).toString()}${item.isKey ? "" : "/"} ${item.keyCount}`)).toEqual([
      "keep/ 2",
      "new/ 1",
    ]);
    expect(folderCounts(second.ready)).toEqual(await freshCounts(connection));
    await second.index.save();
    const savedAgain = (await store.loadFolderIndex(cluster))!.revision;
    expect(savedAgain).toBeGreaterThan(savedAt);
    second.index.stop();

    // Down again, and etcd compacts what happened meanwhile: the recorder's archive has it.
    await put("/rs/late/x");
    const last = await remove("/rs/new/k1");
    await waitForArchive(last);
    await writer.kv.compact({ revision: String(last), physical: true });
    const third = await start(connection, keeper);
    expect(third.index.status()).toMatchObject({ state: "ready", restoredFrom: savedAgain });
    expect(folderCounts(third.ready)).toEqual(await freshCounts(connection));
    third.index.stop();

    // Without the archive's revisions the saved index cannot be trusted: a full pass.
    await put("/rs/later/y");
    await writer.kv.compact({ revision: String(await put("/rs/later/z")), physical: true });
    const blind = await start(connection, { ...keeper, changesBetween: async () => null });
    expect(blind.index.status()).toMatchObject({ state: "ready", restoredFrom: null });
    expect(folderCounts(blind.ready)).toEqual(await freshCounts(connection));
    blind.index.stop();
  });
});
