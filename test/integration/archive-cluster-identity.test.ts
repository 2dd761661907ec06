import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertArchiveOfSameEtcdCluster } from "@/lib/archive/cluster-identity";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import { ArchiveClusterMismatchError, type ArchiveStore } from "@/lib/archive/store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { waitFor, waitUntilRecorded } from "./archive-support";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// The archive keys a cluster by its configured name; etcd's cluster ID (every response header's
// cluster_id) is recorded with it on the first record. When an operator re-points the name at
// another etcd cluster, the recorder refuses to record into the old cluster's archive, with a
// clear message, until the name points back. Real etcd processes (two clusters), a real SQLite
// file and a real PostgreSQL for the store's side of it.

const CLUSTER = "default";

let first: EtcdProcess;
let second: EtcdProcess;
let firstConnection: ClusterConnection;
let secondConnection: ClusterConnection;
let postgres: PostgresProcess;
let dir: string;

beforeAll(async () => {
  [first, second, postgres] = await Promise.all([
    startTestEtcd("archive-identity-a"),
    startTestEtcd("archive-identity-b"),
    startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-identity-pg"), quiet: true }),
  ]);
  firstConnection = connectionTo(first);
  secondConnection = connectionTo(second);
  dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-identity-"));
});

afterAll(async () => {
  firstConnection?.client.close();
  secondConnection?.client.close();
  await Promise.all([first?.stop(), second?.stop(), postgres?.remove()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const clusterIdOf = async (connection: ClusterConnection) => (await getClusterHeader(connection)).clusterId;

describe("the archive's cluster identity", () => {
  it("records etcd's cluster ID on the first record and refuses a name re-pointed at another etcd cluster", async () => {
    const [firstId, secondId] = await Promise.all([clusterIdOf(firstConnection), clusterIdOf(secondConnection)]);
    expect(firstId).not.toBe(secondId);
    const writer = seedingClient(first);
    const store = openSqliteStore(dir);
    try {
      await writer.put("/identity/pod").value("first cluster");
      let recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: firstConnection, store, lockTtlMs: 2_000 });
      recorder.start();
      const recorded = await waitUntilRecorded(store, CLUSTER, firstConnection);
      await recorder.stop();
      expect(await store.etcdClusterIdOf(CLUSTER)).toBe(firstId);

      // The name now points at the second cluster: nothing of it is recorded under the first's archive.
      await seedingClient(second).put("/identity/other").value("second cluster");
      const logs: string[] = [];
      recorder = new ArchiveRecorder({
        cluster: CLUSTER,
        connection: secondConnection,
        store,
        lockTtlMs: 2_000,
        log: (line) => logs.push(line),
      });
      recorder.start();
      await waitFor("the recorder refuses", () => recorder.state.state === "failing");
      const state = recorder.state;
      expect(state.state === "failing" && state.error).toBe(
        `the archive of cluster "default" was recorded from etcd cluster ${firstId}, but "default" now points at etcd cluster ${secondId}: ` +
          "the archive is neither recorded nor read for it (point the name back, or give this etcd cluster another name)",
      );
      expect(logs.some((line) => line.includes("now points at etcd cluster"))).toBe(true);
      await recorder.stop();
      expect(await store.lastRecordedRevision(CLUSTER)).toBe(recorded);
      expect(await store.historyOf(CLUSTER, Buffer.from("/identity/other"), { limit: 5 })).toEqual([]);
      expect(await store.etcdClusterIdOf(CLUSTER)).toBe(firstId);
      // Reads refuse it too: the views' archive (openArchiveView) is not this cluster's history.
      const readLogs: string[] = [];
      await expect(assertArchiveOfSameEtcdCluster(store, CLUSTER, secondConnection, (line) => readLogs.push(line))).rejects.toThrow(
        `the archive of cluster "default" was recorded from etcd cluster ${firstId}, but "default" now points at etcd cluster ${secondId}`,
      );
      await expect(assertArchiveOfSameEtcdCluster(store, CLUSTER, secondConnection, (line) => readLogs.push(line))).rejects.toBeInstanceOf(
        ArchiveClusterMismatchError,
      );
      // Said once, not on every read.
      expect(readLogs).toHaveLength(1);
      await expect(assertArchiveOfSameEtcdCluster(store, "never-recorded", secondConnection)).resolves.toBeUndefined();

      // Pointed back: it records again where it stopped.
      await writer.put("/identity/pod").value("first cluster, later");
      recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: firstConnection, store, lockTtlMs: 2_000 });
      recorder.start();
      await waitUntilRecorded(store, CLUSTER, firstConnection);
      await recorder.stop();
      await expect(assertArchiveOfSameEtcdCluster(store, CLUSTER, firstConnection)).resolves.toBeUndefined();
      const history = await store.historyOf(CLUSTER, Buffer.from("/identity/pod"), { limit: 5 });
      expect(history.map((version) => version.value.toString())).toEqual(["first cluster, later", "first cluster"]);
    } finally {
      writer.close();
      await store.close();
    }
  });

  it.each(["sqlite", "postgres"])("binds a cluster name to one etcd cluster ID in the %s store", async (engine) => {
    const store: ArchiveStore =
      engine === "sqlite"
        ? openSqliteStore(mkdtempSync(join(dir, "bind-")))
        : await openPostgresStore(await postgres.createDatabase("bind"));
    try {
      expect(await store.etcdClusterIdOf("prod")).toBeNull();
      expect(await store.tryLockRecorder("prod", "me", 10_000)).toBe(true);
      // IDs are uint64: kept as the decimal string, every digit.
      await store.bindEtcdCluster("prod", "me", "18446744073709551557");
      await store.bindEtcdCluster("prod", "me", "18446744073709551557");
      expect(await store.etcdClusterIdOf("prod")).toBe("18446744073709551557");
      await expect(store.bindEtcdCluster("prod", "me", "18446744073709551556")).rejects.toBeInstanceOf(ArchiveClusterMismatchError);
      expect(await store.etcdClusterIdOf("prod")).toBe("18446744073709551557");
      // Another name is another archive.
      expect(await store.tryLockRecorder("staging", "me", 10_000)).toBe(true);
      await store.bindEtcdCluster("staging", "me", "18446744073709551556");
      expect(await store.etcdClusterIdOf("staging")).toBe("18446744073709551556");
    } finally {
      await store.close();
    }
  });
});
