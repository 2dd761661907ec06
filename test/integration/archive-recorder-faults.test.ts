import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noop } from "cockatiel";
import { Etcd3 } from "etcd3";
import { afterEach, describe, expect, it } from "vitest";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore } from "@/lib/archive/store";
import { connectCluster, type ClusterConnection } from "@/lib/etcd/client";
import { scratchDir, startEtcd, startEtcdCluster, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { archiveSequence, etcdSequence, waitFor, waitUntilRecorded } from "./archive-support";

// The archive recorder while etcd fails under it, against real etcd processes and a real SQLite
// file: a single etcd restarted in the middle of a write burst, and a three-member cluster whose
// leader is killed (SIGKILL) mid-burst and comes back. Afterwards the archive must equal, event for
// event, what etcd's own watch from revision 1 returns: nothing missing, nothing twice, no gap.

const CLUSTER = "default";

type Running = { members: EtcdProcess[]; connection: ClusterConnection; writer: Etcd3; store: ArchiveStore; dir: string };
let running: Running | null = null;
let recorder: ArchiveRecorder | null = null;

afterEach(async () => {
  await recorder?.stop();
  recorder = null;
  if (!running) return;
  await running.store.close();
  running.writer.close();
  running.connection.client.close();
  await Promise.all(running.members.map((member) => member.stop()));
  rmSync(running.dir, { recursive: true, force: true });
  running = null;
});

function setUp(members: EtcdProcess[]): Running {
  const endpoints = members.map((member) => member.endpoint);
  const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-faults-"));
  running = {
    members,
    // The dashboard's own connection, to every member; a short timeout so a dead member is left quickly.
    connection: connectCluster({ endpoints, requestTimeoutMs: 2_000 }),
    // A writer etcd3 never retries by itself: each attempt below writes its own key, so a put
    // whose answer was lost in the failure is not stored twice under one name.
    writer: new Etcd3({ hosts: endpoints, faultHandling: { global: noop }, defaultCallOptions: () => ({ deadline: Date.now() + 2_000 }) }),
    store: openSqliteStore(dir),
    dir,
  };
  return running;
}

function startRecorder(setup: Running): ArchiveRecorder {
  recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: setup.connection, store: setup.store, lockTtlMs: 2_000 });
  recorder.start();
  return recorder;
}

/** Writes `count` Pod updates from four lanes, retrying each (under a new key) until etcd acknowledges one. */
function writeBurst(setup: Running, prefix: string, count: number): { done: Promise<void>; written: () => number } {
  let written = 0;
  const done = Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane; i < count; i += 4) {
        for (let attempt = 0; ; attempt++) {
          try {
            await setup.writer.put(`${prefix}pods/p${i % 40}-${attempt}`).value(`{"status":{"restartCount":${i}}}`);
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        written += 1;
      }
    }),
  ).then(() => undefined);
  return { done, written: () => written };
}

async function expectArchiveEqualsEtcd(setup: Running): Promise<void> {
  const last = await waitUntilRecorded(setup.store, CLUSTER, setup.connection);
  const fromEtcd = await etcdSequence(setup.connection, 1, last);
  const fromArchive = await archiveSequence(setup.store, CLUSTER, 1, last);
  expect(fromArchive.length).toBe(fromEtcd.length);
  expect(fromArchive).toEqual(fromEtcd);
  expect(new Set(fromArchive).size).toBe(fromArchive.length);
  expect((await setup.store.coverage(CLUSTER)).gaps).toEqual([]);
}

async function leaderOf(members: EtcdProcess[]): Promise<EtcdProcess> {
  for (const member of members) {
    const client = new Etcd3({
      hosts: member.endpoint,
      faultHandling: { global: noop },
      defaultCallOptions: () => ({ deadline: Date.now() + 1_000 }),
    });
    try {
      const status = await client.maintenance.status();
      if (String(status.leader) !== "0" && String(status.leader) === String(status.header.member_id)) return member;
    } catch {
      // Not answering: ask the next.
    } finally {
      client.close();
    }
  }
  throw new Error("no member says it leads");
}

describe("the archive recorder while etcd fails", () => {
  it("records through an etcd restart in the middle of a write burst: the archive equals etcd's watch from revision 1", async () => {
    const etcd = await startEtcd({ dataDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-etcd-restart"), quiet: true });
    const setup = setUp([etcd]);
    const recorder = startRecorder(setup);
    await waitFor("the recorder records", () => recorder.state.state === "recording");
    const burst = writeBurst(setup, "/restart/", 600);
    await waitFor("a third of the burst is written", () => burst.written() >= 200);
    const before = recorder.lastStoredRevision;
    await etcd.restart();
    await burst.done;
    // The restart fell inside the burst: revisions were written after it, and the recorder stored them.
    expect(before).toBeGreaterThan(0);
    await expectArchiveEqualsEtcd(setup);
    expect(recorder.lastStoredRevision).toBeGreaterThan(before);
  });

  it("records through a three-member cluster's leader failover mid-burst: the archive equals etcd's watch from revision 1", async () => {
    const members = await startEtcdCluster(3, { dataRoot: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-failover"), quiet: true });
    const setup = setUp(members);
    const recorder = startRecorder(setup);
    await waitFor("the recorder records", () => recorder.state.state === "recording");
    const burst = writeBurst(setup, "/failover/", 600);
    await waitFor("a third of the burst is written", () => burst.written() >= 200);
    const leader = await leaderOf(members);
    process.kill(leader.pid()!, "SIGKILL");
    await waitFor("two thirds of the burst are written without the old leader", () => burst.written() >= 400);
    await leader.restart();
    await burst.done;
    await expectArchiveEqualsEtcd(setup);
  });

  it("stops reading etcd while the store is stalled once its backlog reaches its byte bound, and stores it all when the store is back", async () => {
    const etcd = await startEtcd({ dataDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-backlog"), quiet: true });
    const setup = setUp([etcd]);
    // The store stalls every write of revisions until released, as a disk or a database that hangs.
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const store = new Proxy(setup.store, {
      get(target, property, receiver) {
        if (property === "appendRevisions")
          return async (...args: Parameters<ArchiveStore["appendRevisions"]>) => {
            await stalled;
            return target.appendRevisions(...args);
          };
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const bound = 1024 * 1024;
    recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: setup.connection, store, lockTtlMs: 60_000, maxQueuedBytes: bound });
    recorder.start();
    const backlogged = recorder;
    await waitFor("the recorder records", () => backlogged.state.state === "recording");
    const value = Buffer.alloc(100 * 1024, "x");
    // 4 MB of values, four times the bound.
    for (let i = 0; i < 40; i++) await setup.writer.put(`/backlog/configmaps/c${i}`).value(value);
    await waitFor("the backlog reaches its bound", () => backlogged.backlog.bytes >= bound);
    // Given time to read on, it does not: at most the bound and the revision that crossed it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(backlogged.backlog.bytes).toBeLessThanOrEqual(bound + value.length + 100);
    release();
    await expectArchiveEqualsEtcd(setup);
    expect(backlogged.backlog).toEqual({ events: 0, bytes: 0 });
  });
});
