import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { afterEach, describe, expect, it } from "vitest";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import { connectCluster, type ClusterConnection } from "@/lib/etcd/client";
import { getCompactRevision, readCurrentRevision } from "@/lib/etcd/watch";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { startDemoEtcd, type DemoEtcd } from "@/scripts/lib/demo-etcd";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";

// `npm run demo` started twice on one folder, the way a person stops it with Ctrl-C and starts it
// again: what they wrote or looked at must still be there, at the address they bookmarked.

const started: DemoEtcd[] = [];
const folders: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

async function start(folder: string, messages: string[] = [], beforeSeed?: (etcd: EtcdProcess) => Promise<void>): Promise<DemoEtcd> {
  const demo = await startDemoEtcd(folder, { quiet: true, log: (message) => messages.push(message), beforeSeed });
  started.push(demo);
  return demo;
}

async function readRevision(demo: DemoEtcd, key: string): Promise<{ value?: string; revision: number }> {
  const client = new Etcd3({ hosts: demo.etcd.endpoint });
  try {
    const response = await client.get(key).exec();
    return { value: response.kvs[0]?.value.toString(), revision: Number(response.header.revision) };
  } finally {
    client.close();
  }
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const demo of started.splice(0)) await demo.etcd.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe("the demo's etcd across restarts", () => {
  it("keeps its data and ports, and seeds only the first time", async () => {
    const folder = mkdtempSync(join(tmpdir(), "etcdlens-demo-restart-"));
    folders.push(folder);

    const first = await start(folder);
    expect(first.seededWrites).toBeGreaterThan(0);
    const client = new Etcd3({ hosts: first.etcd.endpoint });
    await client.put("/mine/after-seed").value("still here").exec();
    client.close();
    const before = await readRevision(first, DEMO_KEYS.deployment);
    await first.etcd.stop();

    const second = await start(folder);
    expect(second.seededWrites).toBe(0);
    expect(second.etcd.clientPort).toBe(first.etcd.clientPort);
    expect(second.etcd.peerPort).toBe(first.etcd.peerPort);
    expect((await readRevision(second, "/mine/after-seed")).value).toBe("still here");
    // A re-seed would have reset the store to the seeder's revisions or added its writes on top.
    expect((await readRevision(second, DEMO_KEYS.deployment)).revision).toBe(before.revision);
  });

  it("moves to free ports, and says so, when the remembered ones are taken", async () => {
    const folder = mkdtempSync(join(tmpdir(), "etcdlens-demo-restart-"));
    folders.push(folder);
    const first = await start(folder);
    await first.etcd.stop();

    const blocker = await occupy(first.etcd.clientPort);
    try {
      const messages: string[] = [];
      const second = await start(folder, messages);
      expect(second.etcd.clientPort).not.toBe(first.etcd.clientPort);
      expect(second.seededWrites).toBe(0);
      expect(messages.join("\n")).toContain(String(first.etcd.clientPort));
      expect((await readRevision(second, DEMO_KEYS.deployment)).value).toBeDefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("lets the dashboard record before the seed, so the archive keeps what the seeder's compaction takes from etcd", async () => {
    const folder = mkdtempSync(join(tmpdir(), "etcdlens-demo-restart-"));
    folders.push(folder);
    // What scripts/demo.ts does in beforeSeed (start the dashboard, wait until it records), with
    // the dashboard's recorder in-process on the demo's folder.
    let connection: ClusterConnection | undefined;
    const store = openSqliteStore(folder);
    cleanups.push(() => store.close());
    const demo = await start(folder, [], async (etcd) => {
      connection = connectCluster({ endpoints: [etcd.endpoint], requestTimeoutMs: 3000 });
      cleanups.push(() => connection?.client.close());
      const recorder = new ArchiveRecorder({ cluster: "default", connection, store, lockTtlMs: 3000 });
      recorder.start();
      cleanups.push(() => recorder.stop());
      while (recorder.state.state !== "recording") await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(demo.seededWrites).toBeGreaterThan(0);
    const compactRevision = await getCompactRevision(connection!, { fresh: true });
    expect(compactRevision).toBeGreaterThan(2);
    const current = await readCurrentRevision(connection!);
    while ((await store.lastRecordedRevision("default")) < current) await new Promise((resolve) => setTimeout(resolve, 50));

    const coverage = await store.coverage("default");
    expect(coverage.firstRevision).toBeLessThan(compactRevision);
    expect(coverage.gaps).toEqual([]);
    // Every revision of the seed that etcd compacted away is in the archive (the seed's first write is revision 2).
    const compacted = await store.readRevisions("default", { from: 2, to: compactRevision - 1, limit: 100_000 });
    expect(compacted.map((revision) => revision.revision)).toEqual(Array.from({ length: compactRevision - 2 }, (_, at) => at + 2));
  });
});
