import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterEach, describe, expect, it } from "vitest";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore } from "@/lib/archive/store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision } from "@/lib/etcd/watch";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { archiveSequence as archiveSequenceOf, etcdSequence, waitFor, waitUntilRecorded as waitUntilRecordedOf } from "./archive-support";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// The archive recorder against a real etcd and a real SQLite file: the archive must equal, event
// for event, what etcd's own watch from revision 1 returned before etcd compacted it away; a
// recorder killed with SIGKILL mid-burst resumes with nothing missing and nothing twice; while no
// recorder runs and etcd compacts past the archive, the lost revisions are a gap with exact
// bounds; and of two recorders on one file only one records.

const CLUSTER = "default";
const ROOT = resolve(__dirname, "../..");

type Running = { etcd: EtcdProcess; writer: Etcd3; connection: ClusterConnection; dir: string; cleanups: (() => Promise<void> | void)[] };
let running: Running | null = null;

async function setUp(name: string): Promise<Running> {
  const etcd = await startTestEtcd(name);
  const dir = mkdtempSync(join(tmpdir(), `etcdlens-${name}-`));
  running = { etcd, writer: seedingClient(etcd), connection: connectionTo(etcd), dir, cleanups: [] };
  return running;
}

afterEach(async () => {
  if (!running) return;
  for (const cleanup of running.cleanups.reverse()) await cleanup();
  running.writer.close();
  running.connection.client.close();
  await running.etcd.stop();
  rmSync(running.dir, { recursive: true, force: true });
  running = null;
});

function startRecorder(setup: Running, store: ArchiveStore, lockTtlMs = 2_000): ArchiveRecorder {
  const recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: setup.connection, store, lockTtlMs });
  recorder.start();
  setup.cleanups.push(() => recorder.stop());
  return recorder;
}

function openStore(setup: Running): ArchiveStore {
  const store = openSqliteStore(setup.dir);
  setup.cleanups.push(() => store.close());
  return store;
}

// The shared comparison of the archive with etcd's own watch (archive-support.ts), for this file's cluster.
const archiveSequence = (store: ArchiveStore, from: number, through: number) => archiveSequenceOf(store, CLUSTER, from, through);
const waitUntilRecorded = (store: ArchiveStore, connection: ClusterConnection, timeoutMs = 15_000) =>
  waitUntilRecordedOf(store, CLUSTER, connection, timeoutMs);

/** History of every kind etcd has: updates, deletes, re-creates, multi-key transactions, leases and their revocation. */
async function writeHistory(writer: Etcd3, prefix: string): Promise<void> {
  await writer.put(`${prefix}pods/web`).value('{"status":"Pending"}');
  await writer.put(`${prefix}pods/web`).value('{"status":"Running"}');
  await writer.put(`${prefix}binary/\u00ff`).value(Buffer.from([0, 1, 2, 255]));
  await writer.delete().key(`${prefix}pods/web`);
  await writer.put(`${prefix}pods/web`).value('{"status":"Pending","uid":"second"}');
  await writer.kv.txn({
    compare: [],
    success: [
      { request_put: { key: Buffer.from(`${prefix}txn/a`), value: Buffer.from("a1") } },
      { request_put: { key: Buffer.from(`${prefix}txn/b`), value: Buffer.from("b1") } },
      { request_delete_range: { key: Buffer.from(`${prefix}binary/\u00ff`) } },
    ],
    failure: [],
  });
  const lease = writer.lease(60, { autoKeepAlive: false });
  await lease.put(`${prefix}leases/node-1`).value("renew 1");
  await lease.put(`${prefix}leases/node-2`).value("renew 1");
  await lease.put(`${prefix}leases/node-1`).value("renew 2");
  // Revoking deletes both keys in one revision.
  await lease.revoke();
  await writer.delete().prefix(`${prefix}txn/`);
  for (let i = 0; i < 30; i++) await writer.put(`${prefix}leases/churn`).value(`{"renewTime":"09:00:${String(i).padStart(2, "0")}"}`);
}

async function compact(writer: Etcd3, revision: number): Promise<void> {
  await writer.kv.compact({ revision: String(revision), physical: true });
}

function spawnRecorder(setup: Running): ChildProcess {
  // tsx's loader inside this very process (not the tsx command, which runs the script in a child
  // of its own that a SIGKILL of the command would not reach).
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/record.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      ETCDCTL_ENDPOINTS: setup.etcd.endpoint,
      ETCDLENS_CONFIG: "",
      ETCDLENS_DATA_DIR: setup.dir,
      ETCDLENS_RECORDER_LOCK_TTL_MS: "1500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // What the recorder says (its state lines, store retries) is kept in the test's log: when a
  // wait times out, it tells why.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => process.stderr.write(`record child ${child.pid}: ${chunk.toString()}`));
  }
  setup.cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

describe("the archive recorder", () => {
  it("holds every event etcd's watch from revision 1 returned, after etcd compacted them all away", async () => {
    const setup = await setUp("archive-everything");
    const store = openStore(setup);
    const recorder = startRecorder(setup, store);
    await waitFor("the recorder records", () => recorder.state.state === "recording");
    await writeHistory(setup.writer, "/all/");
    const last = await waitUntilRecorded(store, setup.connection);
    const fromEtcd = await etcdSequence(setup.connection, 1, last);
    expect(fromEtcd.length).toBeGreaterThan(40);

    await compact(setup.writer, last);
    await expect(etcdSequence(setup.connection, 1, last)).rejects.toThrow(/compacted/);

    expect(await archiveSequence(store, 1, last)).toEqual(fromEtcd);
    const coverage = await store.coverage(CLUSTER);
    expect(coverage).toMatchObject({ firstRevision: 2, lastRevision: last, gaps: [] });
    // Every one of these revisions arrived live, so each has a time.
    const revisions = await store.readRevisions(CLUSTER, { from: 2, to: last, limit: 10_000 });
    expect(revisions.every((revision) => revision.arrivedAt !== null)).toBe(true);
    // The history of one key across delete and re-create, as etcd no longer has it.
    const web = await store.historyOf(CLUSTER, Buffer.from("/all/pods/web"), { limit: 10 });
    expect(web.map((version) => `${version.type} ${version.value.toString()}`)).toEqual([
      'PUT {"status":"Pending","uid":"second"}',
      "DELETE ",
      'PUT {"status":"Running"}',
      'PUT {"status":"Pending"}',
    ]);
  });

  it("resumes after SIGKILL during a write burst: the archive equals etcd's sequence, nothing missing, nothing twice", async () => {
    const setup = await setUp("archive-sigkill");
    const reader = openStore(setup);
    const seeded = Number((await setup.writer.put("/burst/seed").value("before the recorder")).header.revision);
    let child = spawnRecorder(setup);
    await waitFor("the recorder child records", async () => (await reader.lastRecordedRevision(CLUSTER)) >= seeded, 30_000);
    const writes = Array.from({ length: 1_200 }, (_, i) => i);
    let written = 0;
    let killedAt = -1;
    const burst = (async () => {
      // Eight writers at once; every twentieth write is a three-key transaction.
      await Promise.all(
        Array.from({ length: 8 }, async (_, lane) => {
          for (let i = lane; i < writes.length; i += 8) {
            if (i % 20 === 0) {
              await setup.writer.kv.txn({
                compare: [],
                success: ["x", "y", "z"].map((part) => ({
                  request_put: { key: Buffer.from(`/burst/txn/${part}`), value: Buffer.from(`${i}`) },
                })),
                failure: [],
              });
            } else {
              await setup.writer.put(`/burst/pods/p${i % 50}`).value(`{"status":{"restartCount":${i}}}`);
            }
            written += 1;
          }
        }),
      );
    })();
    await waitFor("half of the burst is written", () => written >= writes.length / 2);
    killedAt = await reader.lastRecordedRevision(CLUSTER);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    await burst;
    const last = await readCurrentRevision(setup.connection);
    // Nobody recorded after the kill, and the burst went on: the restarted recorder has work to do.
    const stoppedAt = await reader.lastRecordedRevision(CLUSTER);
    expect(stoppedAt).toBeGreaterThanOrEqual(killedAt);
    expect(stoppedAt).toBeLessThan(last);
    child = spawnRecorder(setup);
    // A fresh child first loads the recorder through tsx and waits out the killed one's lock: as
    // long as the first start may take on a loaded machine (CI runs another test file beside this;
    // once there it took longer than 30 s, which a quiet machine never comes near).
    await waitUntilRecorded(reader, setup.connection, 45_000);

    const fromEtcd = await etcdSequence(setup.connection, 1, last);
    const fromArchive = await archiveSequence(reader, 1, last);
    expect(fromArchive.length).toBe(fromEtcd.length);
    expect(fromArchive).toEqual(fromEtcd);
    expect(new Set(fromArchive).size).toBe(fromArchive.length);
    expect((await reader.coverage(CLUSTER)).gaps).toEqual([]);
  }, 120_000);

  it("starts from a baseline and etcd's retained history, and records a gap when etcd compacted past it while it was stopped", async () => {
    const setup = await setUp("archive-gap");
    await setup.writer.put("/gap/untouched").value("written before the compaction, never again");
    await writeHistory(setup.writer, "/gap/early/");
    const compactedAt = await readCurrentRevision(setup.connection);
    await setup.writer.put("/gap/after-compaction").value("one");
    await compact(setup.writer, compactedAt);
    const store = openStore(setup);

    // First start on a compacted cluster: what etcd still holds, from its compaction revision on.
    let recorder = startRecorder(setup, store);
    const firstLast = await waitUntilRecorded(store, setup.connection);
    let coverage = await store.coverage(CLUSTER);
    expect(coverage.firstRevision).toBe(compactedAt);
    expect(coverage.baselines).toHaveLength(1);
    expect(await archiveSequence(store, compactedAt, firstLast)).toEqual(await etcdSequence(setup.connection, compactedAt, firstLast));
    const untouched = await store.historyOf(CLUSTER, Buffer.from("/gap/untouched"), { limit: 10 });
    expect(untouched.map((version) => [version.fromBaseline, version.value.toString()])).toEqual([
      [true, "written before the compaction, never again"],
    ]);
    // Revisions etcd had before the recorder started did not arrive live.
    expect(
      (await store.readRevisions(CLUSTER, { from: compactedAt, to: firstLast, limit: 1_000 })).every(
        (revision) => revision.arrivedAt === null,
      ),
    ).toBe(true);

    await recorder.stop();
    const stoppedAt = await store.lastRecordedRevision(CLUSTER);
    for (let i = 0; i < 5; i++) await setup.writer.put("/gap/while-stopped").value(`lost ${i}`);
    const secondCompaction = (await setup.writer.put("/gap/while-stopped").value("kept by the baseline")).header.revision;
    await setup.writer.put("/gap/after-second").value("etcd still has this");
    await compact(setup.writer, Number(secondCompaction));

    recorder = startRecorder(setup, store);
    const last = await waitUntilRecorded(store, setup.connection);
    await waitFor("the fresh baseline is finished", async () => (await store.coverage(CLUSTER)).baselines.length === 2);
    coverage = await store.coverage(CLUSTER);
    expect(coverage.gaps.map((gap) => [gap.from, gap.to])).toEqual([[stoppedAt + 1, Number(secondCompaction) - 1]]);
    expect(await archiveSequence(store, Number(secondCompaction), last)).toEqual(
      await etcdSequence(setup.connection, Number(secondCompaction), last),
    );
    // The versions written during the gap are not invented; the last of them was in etcd at its compaction revision.
    const whileStopped = await store.historyOf(CLUSTER, Buffer.from("/gap/while-stopped"), { limit: 10 });
    expect(whileStopped.map((version) => version.value.toString())).toEqual(["kept by the baseline"]);
  });

  it("lets only one of two recorders on one file record, and the other take over when it stops", async () => {
    const setup = await setUp("archive-two");
    const first = openStore(setup);
    const second = openStore(setup);
    const otherConnection = connectionTo(setup.etcd);
    setup.cleanups.push(() => otherConnection.client.close());
    const a = startRecorder(setup, first, 1_500);
    await waitFor("one recorder records", () => a.state.state === "recording");
    const b = new ArchiveRecorder({ cluster: CLUSTER, connection: otherConnection, store: second, lockTtlMs: 1_500 });
    b.start();
    setup.cleanups.push(() => b.stop());
    await writeHistory(setup.writer, "/two/");
    await waitUntilRecorded(first, setup.connection);
    expect(a.state.state).toBe("recording");
    expect(b.state.state).toBe("standby");
    expect(b.lastStoredRevision).toBe(0);

    await a.stop();
    await waitFor("the other recorder takes over", () => b.state.state === "recording", 10_000);
    await writeHistory(setup.writer, "/two-later/");
    const last = await waitUntilRecorded(second, setup.connection);
    expect(await archiveSequence(second, 1, last)).toEqual(await etcdSequence(setup.connection, 1, last));
    expect((await second.coverage(CLUSTER)).gaps).toEqual([]);
  });
});
