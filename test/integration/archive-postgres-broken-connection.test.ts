import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { openPostgresStore, type PostgresArchiveStore } from "@/lib/archive/postgres-store";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// A pooled connection that breaks while a write holds it (PostgreSQL stopped or the backend
// killed mid-transaction) must fail that write and nothing else: pg emits 'error' on the client,
// and without a listener Node ends the process. The break is made deterministic here: the write
// waits on a table lock another session holds, and its backend is terminated while it waits.

let postgres: PostgresProcess;
let store: PostgresArchiveStore | undefined;

beforeAll(async () => {
  postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-postgres-broken"), quiet: true });
});

afterAll(async () => {
  await store?.close();
  await postgres?.remove();
});

it("a write whose connection is killed mid-transaction rejects, and the process keeps running", async () => {
  store = await openPostgresStore(postgres.url);
  expect(await store.tryLockRecorder("broken", "holder", 10_000)).toBe(true);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  const blocker = new pg.Client({ connectionString: postgres.url });
  await blocker.connect();
  try {
    await blocker.query("BEGIN; LOCK TABLE etcdlens.revisions IN ACCESS EXCLUSIVE MODE");
    const write = store.appendRevisions("broken", "holder", [
      {
        revision: 5,
        arrivedAt: Date.now(),
        events: [{ type: "PUT", key: Buffer.from("/k"), revision: 5, createRevision: 5, version: 1, lease: "0", value: Buffer.from("v") }],
      },
    ]);
    const outcome = write.then(
      () => "committed",
      (error: Error) => error.message,
    );
    // Wait until the write is blocked on the lock, then end its backend.
    let terminated = 0;
    for (let attempt = 0; attempt < 100 && terminated === 0; attempt++) {
      const { rows } = await blocker.query<{ ended: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      terminated = rows.filter((row) => row.ended).length;
      if (terminated === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(terminated).toBe(1);
    expect(await outcome).toMatch(/terminat/i);
    await blocker.query("ROLLBACK");
    // The 'error' event comes on its own tick; give it the chance to surface.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(uncaught).toEqual([]);
    // The store still works: the pool replaced the broken connection.
    await store.appendRevisions("broken", "holder", [
      {
        revision: 6,
        arrivedAt: Date.now(),
        events: [{ type: "PUT", key: Buffer.from("/k"), revision: 6, createRevision: 5, version: 2, lease: "0", value: Buffer.from("w") }],
      },
    ]);
    expect(await store.lastRecordedRevision("broken")).toBe(6);
  } finally {
    process.off("uncaughtException", onUncaught);
    await blocker.end();
  }
});
