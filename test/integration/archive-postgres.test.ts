import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { openPostgresStore, POSTGRES_SCHEMA_VERSION, type PostgresArchiveStore } from "@/lib/archive/postgres-store";
import { RecorderLockLostError, type ArchivedRevision } from "@/lib/archive/store";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// The PostgreSQL engine's own concerns, on a real PostgreSQL started by the harness: the harness
// itself (as root it runs the server as the postgres user, on loopback only, stop and restart
// keep the data), replicas opening one database together, and the recorder lock as several
// dashboard replicas see it: one holder per cluster, taken over at once when the holder closes,
// lost on the server's clock when the holder stops renewing, and kept across a PostgreSQL restart
// when nobody else took it. Each test uses its own cluster name.

let postgres: PostgresProcess;
const stores: PostgresArchiveStore[] = [];

async function openStore(): Promise<PostgresArchiveStore> {
  const store = await openPostgresStore(postgres.url);
  stores.push(store);
  return store;
}

async function queryOnce<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const revision = (number: number, key: string, value: string): ArchivedRevision => ({
  revision: number,
  arrivedAt: 1_700_000_000_000 + number,
  events: [
    { type: "PUT", key: Buffer.from(key), revision: number, createRevision: number, version: 1, lease: "0", value: Buffer.from(value) },
  ],
});

/** Calls `attempt` every 100 ms until it returns true; the elapsed milliseconds, or Infinity after `withinMs`. */
async function msUntil(attempt: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await attempt()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Infinity;
}

beforeAll(async () => {
  postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-postgres"), quiet: true });
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await postgres?.remove();
});

describe("the PostgreSQL harness", () => {
  it("serves one database on loopback from its own folder, as a user other than root", async () => {
    const [row] = await queryOnce<{ directory: string; listen: string; database: string; superuser: string }>(
      "SELECT current_setting('data_directory') AS directory, current_setting('listen_addresses') AS listen, current_database() AS database, current_user AS superuser",
    );
    expect(row).toEqual({ directory: join(postgres.rootDir, "data"), listen: "127.0.0.1", database: "etcdlens", superuser: "postgres" });
  });

  it("keeps the data across stop and restart, on the same port", async () => {
    await queryOnce("CREATE TABLE harness_check (word text); INSERT INTO harness_check VALUES ('kept')");
    const before = postgres.pid();
    await postgres.stop();
    await expect(queryOnce("SELECT 1")).rejects.toThrow();
    await postgres.restart();
    expect(postgres.pid()).not.toBe(before);
    expect(await queryOnce("SELECT word FROM harness_check")).toEqual([{ word: "kept" }]);
  });
});

describe("the PostgreSQL archive store", () => {
  it("is created once when several replicas open a new database at the same moment", async () => {
    const opened = await Promise.all([openStore(), openStore(), openStore()]);
    expect(opened.map((store) => store.engine)).toEqual(["postgres", "postgres", "postgres"]);
    expect(await queryOnce("SELECT version FROM etcdlens.schema_version")).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
  });

  it("lets exactly one of several replicas take a cluster's recorder lock", async () => {
    const replicas = await Promise.all([openStore(), openStore(), openStore(), openStore()]);
    const taken = await Promise.all(replicas.map((store, index) => store.tryLockRecorder("race", `replica-${index}`, 10_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    // A second cluster's lock is independent of the first.
    expect(await replicas[taken.indexOf(false)].tryLockRecorder("race-other", "replica-x", 10_000)).toBe(true);
  });

  it("refuses the writes of a replica that does not hold the lock, and hands the lock over when the holder closes", async () => {
    const first = await openStore();
    const second = await openStore();
    expect(await first.tryLockRecorder("handover", "first", 10_000)).toBe(true);
    expect(await first.tryLockRecorder("handover", "first", 10_000)).toBe(true);
    expect(await second.tryLockRecorder("handover", "second", 10_000)).toBe(false);
    await first.appendRevisions("handover", "first", [revision(5, "/a", "one")]);
    await expect(second.appendRevisions("handover", "second", [revision(6, "/a", "two")])).rejects.toBeInstanceOf(RecorderLockLostError);

    // Closing ends the lock's session, which releases the advisory lock on the server at once,
    // long before the 10 s TTL: the standby polls as the recorder does and takes over.
    await first.close();
    const tookOver = await msUntil(() => second.tryLockRecorder("handover", "second", 10_000), 5_000);
    expect(tookOver).toBeLessThan(5_000);
    await second.appendRevisions("handover", "second", [revision(6, "/a", "two")]);
    expect(await second.lastRecordedRevision("handover")).toBe(6);
    expect((await second.historyOf("handover", Buffer.from("/a"), { limit: 10 })).map((version) => version.value.toString())).toEqual([
      "two",
      "one",
    ]);
  });

  it("takes the lock from a holder that stopped renewing past its TTL, and the old holder can neither renew nor write", async () => {
    const paused = await openStore();
    const standby = await openStore();
    expect(await paused.tryLockRecorder("paused", "paused", 300)).toBe(true);
    expect(await standby.tryLockRecorder("paused", "standby", 300)).toBe(false);
    // Nothing from the paused holder: the server ends its idle session after 300 ms.
    const tookOver = await msUntil(() => standby.tryLockRecorder("paused", "standby", 10_000), 5_000);
    expect(tookOver).toBeLessThan(5_000);
    expect(await paused.renewRecorderLock("paused", "paused", 300)).toBe(false);
    await expect(paused.appendRevisions("paused", "paused", [revision(3, "/p", "late")])).rejects.toBeInstanceOf(RecorderLockLostError);
    await standby.appendRevisions("paused", "standby", [revision(3, "/p", "on time")]);
    expect((await standby.versionAt("paused", Buffer.from("/p"), 3))?.value.toString()).toBe("on time");
  });

  it("keeps the lock of a holder whose session ended while nobody else took it, as after a PostgreSQL restart", async () => {
    const holder = await openStore();
    const standby = await openStore();
    expect(await holder.tryLockRecorder("restart", "holder", 10_000)).toBe(true);
    await holder.appendRevisions("restart", "holder", [revision(2, "/r", "before")]);
    await postgres.restart();
    // The renewal finds its session gone, takes a new one and the advisory lock with it.
    expect(await holder.renewRecorderLock("restart", "holder", 10_000)).toBe(true);
    expect(await standby.tryLockRecorder("restart", "standby", 10_000)).toBe(false);
    await holder.appendRevisions("restart", "holder", [revision(3, "/r", "after")]);
    expect(await standby.lastRecordedRevision("restart")).toBe(3);
  });

  it("releases the lock on request, so another replica takes it at its first try", async () => {
    const first = await openStore();
    const second = await openStore();
    expect(await first.tryLockRecorder("release", "first", 10_000)).toBe(true);
    await first.releaseRecorderLock("release", "first");
    expect(await second.tryLockRecorder("release", "second", 10_000)).toBe(true);
    expect(await first.renewRecorderLock("release", "first", 10_000)).toBe(false);
    await expect(first.appendRevisions("release", "first", [revision(2, "/x", "no")])).rejects.toBeInstanceOf(RecorderLockLostError);
  });
});
