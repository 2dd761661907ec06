import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresArchiveStore } from "@/lib/archive/postgres-store";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision } from "@/lib/etcd/watch";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { archiveSequence, etcdSequence, waitFor, waitUntilRecorded } from "./archive-support";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// The archive recorder while its PostgreSQL is down, against a real etcd and a real PostgreSQL:
// stopped for 30 s during writes, the recorder waits and then catches up from etcd, which still
// holds those revisions; stopped while etcd compacts past the last revision stored, the lost
// revisions are recorded as a gap with exact bounds, and what etcd still held is recorded.
// PostgreSQL comes back on the same port: npm test runs this file beside the others with its ports
// taken from ETCDLENS_TEST_PORT_RANGE, which nothing else is handed while the server is down.

const CLUSTER = "default";
const OUTAGE_MS = 30_000;

let etcd: EtcdProcess;
let postgres: PostgresProcess;
let writer: Etcd3;
let connection: ClusterConnection;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([
    startTestEtcd("archive-pg-outage"),
    startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-pg-outage"), quiet: true }),
  ]);
  writer = seedingClient(etcd);
  connection = connectionTo(etcd);
});

afterAll(async () => {
  writer?.close();
  connection?.client.close();
  await etcd?.stop();
  await postgres?.remove();
});

async function record(
  database: string,
): Promise<{ store: PostgresArchiveStore; recorder: ArchiveRecorder; logs: string[]; stop: () => Promise<void> }> {
  const store = await openPostgresStore(await postgres.createDatabase(database));
  const logs: string[] = [];
  const recorder = new ArchiveRecorder({ cluster: CLUSTER, connection, store, lockTtlMs: 2_000, log: (line) => logs.push(line) });
  recorder.start();
  await waitFor("the recorder records", () => recorder.state.state === "recording");
  return {
    store,
    recorder,
    logs,
    stop: async () => {
      await recorder.stop();
      await store.close();
    },
  };
}

describe("the archive recorder while PostgreSQL is down", () => {
  it("waits through a 30 s PostgreSQL stop during writes and catches up from etcd: the archive equals etcd's watch", async () => {
    const { store, recorder, logs, stop } = await record("outage");
    try {
      const seeded = Number((await writer.put("/outage/seed").value("before")).header.revision);
      await waitFor("the seed is stored", () => recorder.lastStoredRevision >= seeded);
      let written = 0;
      let writing = true;
      const writes = (async () => {
        while (writing) {
          await writer.put(`/outage/pods/p${written % 30}`).value(`{"status":{"restartCount":${written}}}`);
          written += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await postgres.stop();
      const storedBeforeOutage = recorder.lastStoredRevision;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      const writtenDuringOutage = written;
      await postgres.restart();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      writing = false;
      await writes;

      // Writes went on during the outage, and nothing of them could be stored meanwhile.
      expect(writtenDuringOutage).toBeGreaterThan(100);
      expect(logs.some((line) => /failed|lost the archive lock/.test(line))).toBe(true);
      const last = await waitUntilRecorded(store, CLUSTER, connection, 60_000);
      expect(last).toBeGreaterThan(storedBeforeOutage + 100);
      const fromEtcd = await etcdSequence(connection, 1, last);
      const fromArchive = await archiveSequence(store, CLUSTER, 1, last);
      expect(fromArchive.length).toBe(fromEtcd.length);
      expect(fromArchive).toEqual(fromEtcd);
      expect(new Set(fromArchive).size).toBe(fromArchive.length);
      expect((await store.coverage(CLUSTER)).gaps).toEqual([]);
    } finally {
      await stop();
    }
  });

  it("records a gap with exact bounds when etcd compacted past the last revision stored while PostgreSQL was down", async () => {
    const { store, recorder, stop } = await record("outage_gap");
    try {
      await writer.put("/gap/steady").value("written once, before the outage");
      const stored = await waitUntilRecorded(store, CLUSTER, connection);
      await postgres.stop();
      for (let i = 0; i < 20; i++) await writer.put("/gap/churn").value(`lost ${i}`);
      const compactedAt = Number((await writer.put("/gap/churn").value("at the compaction")).header.revision);
      for (let i = 0; i < 5; i++) await writer.put("/gap/after").value(`kept ${i}`);
      await writer.kv.compact({ revision: String(compactedAt), physical: true });
      // The recorder had these revisions in memory, but its lock lapsed with PostgreSQL gone: a
      // restarted session resumes from what the store holds.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await postgres.restart();

      const last = await readCurrentRevision(connection);
      await waitFor("the recorder caught up", () => recorder.lastStoredRevision >= last, 60_000);
      await waitFor("the fresh baseline is finished", async () => (await store.coverage(CLUSTER)).baselines.length === 2);
      const coverage = await store.coverage(CLUSTER);
      expect(coverage.gaps.map((gap) => [gap.from, gap.to])).toEqual([[stored + 1, compactedAt - 1]]);
      expect(await archiveSequence(store, CLUSTER, compactedAt, last)).toEqual(await etcdSequence(connection, compactedAt, last));
      // Nothing invented inside the gap: of /gap/churn only the version etcd held at its compaction.
      const churn = await store.historyOf(CLUSTER, Buffer.from("/gap/churn"), { limit: 50 });
      expect(churn.map((version) => version.value.toString())).toEqual(["at the compaction"]);
      expect((await store.historyOf(CLUSTER, Buffer.from("/gap/steady"), { limit: 5 })).map((version) => version.value.toString())).toEqual(
        ["written once, before the outage"],
      );
    } finally {
      await stop();
    }
  });
});
