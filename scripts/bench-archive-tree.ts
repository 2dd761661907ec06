// npm run bench:archive-tree [-- --keys 1000000] [--engines sqlite,postgres] [--skip-restart] — the tree at
// an archived revision and the folder index's restart, on a Kubernetes-shaped keyspace of --keys keys:
//   1. the archive: a baseline of every key, then 10,000 revisions (deletes, and creations in a
//      folder of their own); `/registry/` and a wide level listed at the baseline and at the last
//      revision through ArchiveStore.listLevelAt, on SQLite and on PostgreSQL (Debian's, started here);
//   2. the first listing of `/registry/` after a dashboard restart, against a real etcd holding the
//      same keys: a keys-only pass (what every start did before) next to the saved index loaded
//      from the archive and caught up over 1,000 writes made while the dashboard was down.
// Runs against ETCDCTL_ENDPOINTS when set (the keys go under /registry/ there: use a scratch etcd),
// else a private etcd. lib/ is server-only, so this runs under tsx with --conditions=react-server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { fillReplacedFromArchive } from "@/lib/archive/archived-changes";
import { readArchivedLevelValues } from "@/lib/archive/archived-level";
import { archiveFolderIndexKeeper } from "@/lib/archive/folder-index-store";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { archiveFilePath, openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore } from "@/lib/archive/store";
import type { ChangeItem } from "@/lib/etcd/changes";
import { FolderIndex, type FolderIndexKeeper } from "@/lib/etcd/folder-index/folder-index";
import { listLevelFromIndex } from "@/lib/etcd/folder-index/list-level";
import { range } from "@/lib/etcd/kv";
import { openBenchEtcd } from "./lib/bench/bench-etcd";
import { flagValue } from "./lib/bench/target-etcd";
import { median, timeRuns } from "./lib/bench/measure";
import { scratchDir } from "./lib/etcd-process";
import { startPostgres } from "./lib/postgres-process";

const KEYS = Number(flagValue("--keys") ?? 1_000_000);
const ENGINES = (flagValue("--engines") ?? "sqlite,postgres").split(",");
const SKIP_RESTART = process.argv.includes("--skip-restart");
const LATER_REVISIONS = 10_000;
const CLUSTER = "bench";
const NAMESPACES = 200;

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

/** The i-th key of a Kubernetes-shaped keyspace: mostly events, then pods, replicasets, secrets, configmaps, leases. */
function keyAt(i: number): string {
  const ns = `ns-${i % NAMESPACES}`;
  const share = i / KEYS;
  const name = `app-${(i % 977).toString(16)}-${i.toString(16).padStart(6, "0")}`;
  if (share < 0.7) return `/registry/events/${i < 50_000 ? "bench-big" : ns}/${name}.17a8b9c0d1e2`;
  if (share < 0.76) return `/registry/pods/${ns}/${name}`;
  if (share < 0.81) return `/registry/replicasets/${ns}/${name}`;
  if (share < 0.89) return `/registry/secrets/${ns}/${name}`;
  if (share < 0.998) return `/registry/configmaps/${ns}/${name}`;
  return `/registry/leases/kube-node-lease/node-${i}`;
}

const valueOf = (i: number) =>
  Buffer.from(`{"kind":"Object","metadata":{"name":"${i}","resourceVersion":"${i + 1}"},"data":{"x":"${"v".repeat(80)}"}}`);

/** Every version the bench archive holds: a baseline of every key, then deletes and creations. */
function* archivedVersions(): Generator<{ key: Buffer; revision: number; deleted: boolean; value: Buffer }> {
  for (let i = 0; i < KEYS; i++) yield { key: Buffer.from(keyAt(i)), revision: i + 2, deleted: false, value: valueOf(i) };
  // After the baseline: every other revision deletes a key, the rest create keys in /registry/later/.
  for (let n = 0; n < LATER_REVISIONS; n++) {
    const revision = KEYS + 2 + n;
    if (n % 2 === 0) yield { key: Buffer.from(keyAt((n * 7919) % KEYS)), revision, deleted: true, value: Buffer.alloc(0) };
    else yield { key: Buffer.from(`/registry/later/ns-${n % 50}/new-${n}`), revision, deleted: false, value: valueOf(n) };
  }
}

const BASELINE = KEYS + 1;
const LAST = KEYS + 1 + LATER_REVISIONS;

// The archive is filled with bulk SQL in the engines' own schema (values stored raw): the recorder's
// write path (measured by npm run bench:recorder) would take many minutes for a million keys, and a
// listing reads keys and each version's revision and deleted flag only.
function fillSqlite(dir: string): void {
  const db = new Database(archiveFilePath(dir));
  const now = Date.now();
  db.transaction(() => {
    const cluster = Number(
      db
        .prepare("INSERT INTO clusters (name, last_revision, first_revision, recording_since) VALUES (?, ?, ?, ?)")
        .run(CLUSTER, LAST, BASELINE, now).lastInsertRowid,
    );
    db.prepare("INSERT INTO baselines (cluster_id, revision, finished_at) VALUES (?, ?, ?)").run(cluster, BASELINE, now);
    const findKey = db.prepare("SELECT id FROM keys WHERE cluster_id = ? AND key = ?");
    const insertKey = db.prepare("INSERT INTO keys (cluster_id, key) VALUES (?, ?)");
    const insertVersion = db.prepare(
      `INSERT INTO versions (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
       VALUES (?, ?, ?, ?, ?, ?, 1, '0', 0, 0, NULL, ?)`,
    );
    for (const version of archivedVersions()) {
      const found = findKey.get(cluster, version.key) as { id: number } | undefined;
      const keyId = found ? found.id : Number(insertKey.run(cluster, version.key).lastInsertRowid);
      const fromBaseline = version.revision <= BASELINE;
      insertVersion.run(
        keyId,
        version.revision,
        cluster,
        fromBaseline ? null : 0,
        version.deleted ? 1 : 0,
        version.revision,
        version.value,
      );
    }
  })();
  db.close();
}

async function fillPostgres(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const now = Date.now();
    const { rows } = await pool.query<{ id: number }>(
      "INSERT INTO etcdlens.clusters (name, last_revision, first_revision, recording_since) VALUES ($1, $2, $3, $4) RETURNING id",
      [CLUSTER, LAST, BASELINE, now],
    );
    const cluster = rows[0].id;
    await pool.query("INSERT INTO etcdlens.baselines (cluster_id, revision, finished_at) VALUES ($1, $2, $3)", [cluster, BASELINE, now]);
    const keyIds = new Map<string, string>();
    let batch: { key: Buffer; revision: number; deleted: boolean; value: Buffer }[] = [];
    const flush = async () => {
      const fresh = [...new Set(batch.map((version) => version.key.toString("latin1")))].filter((key) => !keyIds.has(key));
      if (fresh.length > 0) {
        const inserted = await pool.query<{ id: string; key: Buffer }>(
          "INSERT INTO etcdlens.keys (cluster_id, key) SELECT $1, unnest($2::bytea[]) RETURNING id, key",
          [cluster, fresh.map((key) => Buffer.from(key, "latin1"))],
        );
        for (const row of inserted.rows) keyIds.set(row.key.toString("latin1"), row.id);
      }
      await pool.query(
        `INSERT INTO etcdlens.versions (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
         SELECT k, r, $1, p, d, r, 1, '0', 0, 0, NULL, v FROM unnest($2::int8[], $3::int8[], $4::int4[], $5::bool[], $6::bytea[]) AS t(k, r, p, d, v)`,
        [
          cluster,
          batch.map((version) => keyIds.get(version.key.toString("latin1"))),
          batch.map((version) => version.revision),
          batch.map((version) => (version.revision <= BASELINE ? null : 0)),
          batch.map((version) => version.deleted),
          batch.map((version) => version.value),
        ],
      );
      batch = [];
    };
    for (const version of archivedVersions()) {
      batch.push(version);
      if (batch.length === 20_000) await flush();
    }
    await flush();
    await pool.query("ANALYZE");
  } finally {
    await pool.end();
  }
}

async function benchArchive(engine: string, store: ArchiveStore, fillMs: number): Promise<string[]> {
  const [baseline, last] = [BASELINE, LAST];
  const lines = [
    `${engine}: ${KEYS.toLocaleString("en")} keys + ${LATER_REVISIONS.toLocaleString("en")} revisions bulk-loaded in ${ms(fillMs)}`,
  ];
  const level = (prefix: string, revision: number, limit: number) => async () => {
    const page = await store.listLevelAt(CLUSTER, { prefix: Buffer.from(prefix), revision, limit });
    if (page.items.length === 0) throw new Error(`nothing listed under ${prefix} at ${revision}`);
  };
  for (const [what, prefix, revision, limit] of [
    ["/registry/ at the baseline", "/registry/", baseline, 200],
    ["/registry/ at the last revision", "/registry/", last, 200],
    ["/registry/events/ (201 namespaces), first 200", "/registry/events/", baseline, 200],
    ["/registry/events/bench-big/ (50,000 keys), first 200", "/registry/events/bench-big/", last, 200],
  ] as const) {
    const timing = await timeRuns(level(prefix, revision, limit), { count: 9, budgetMs: 20_000 });
    lines.push(`  ${what}: ${ms(timing.median)} (median of ${timing.runs})`);
  }
  // The per-key reads of the views: the table's values of a level, and the change feed's replaced versions.
  const table = async () => {
    const page = await readArchivedLevelValues(store, CLUSTER, {
      prefix: Buffer.from("/registry/configmaps/ns-0/"),
      revision: last,
      limit: 200,
    });
    if (page.entries.filter((entry) => entry.kv).length < 100) throw new Error("the table's values were not read");
  };
  const tableTiming = await timeRuns(table, { count: 9, budgetMs: 20_000 });
  lines.push(`  /registry/configmaps/ns-0/ with values (the table), first 200: ${ms(tableTiming.median)} (median of ${tableTiming.runs})`);
  const updated = Array.from({ length: 200 }, (_, n) => keyAt(Math.floor(KEYS * 0.9) + n));
  const replaced = async () => {
    const items: ChangeItem[] = updated.map((key) => ({
      revision: baseline + 1,
      type: "PUT",
      key: Buffer.from(key),
      version: 2,
      createRevision: 2,
      value: Buffer.from("{}"),
      previous: null,
    }));
    await fillReplacedFromArchive(store, CLUSTER, items);
    if (items.some((item) => !item.previous)) throw new Error("a replaced version was not read");
  };
  const feedTiming = await timeRuns(replaced, { count: 9, budgetMs: 20_000 });
  lines.push(`  the change feed's replaced versions of 200 updates: ${ms(feedTiming.median)} (median of ${feedTiming.runs})`);
  return lines;
}

async function seedEtcd(
  writer: Awaited<ReturnType<typeof openBenchEtcd>>["writer"],
  connection: Awaited<ReturnType<typeof openBenchEtcd>>["connection"],
) {
  const have = (await range(connection, { key: Buffer.from("/registry/"), rangeEnd: Buffer.from("/registry0"), countOnly: true })).count;
  if (have >= KEYS) return;
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < KEYS; i += 128) {
    const txn = writer.if("/nothing", "Version", "==", 0);
    const ops = [];
    for (let j = i; j < Math.min(KEYS, i + 128); j++) ops.push(writer.put(keyAt(j)).value("x"));
    const done = txn.then(...ops).commit();
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  console.error(`seeded ${KEYS.toLocaleString("en")} keys into etcd in ${ms(performance.now() - started)}`);
}

/** A dashboard start: the index ready and `/registry/` listed, as the tree's first request. */
async function firstListing(connection: Awaited<ReturnType<typeof openBenchEtcd>>["connection"], keeper: FolderIndexKeeper | null) {
  const started = performance.now();
  const index = new FolderIndex(connection, keeper);
  const ready = await index.acquire({ buildWaitMs: 600_000, catchUpMs: 10_000 });
  if (!ready) throw new Error("the folder index was not built");
  const page = await listLevelFromIndex(connection, ready, { prefix: Buffer.from("/registry/"), limit: 200 });
  if (page.items.length === 0) throw new Error("nothing listed");
  const elapsed = performance.now() - started;
  return { index, elapsed };
}

async function benchRestart(): Promise<string[]> {
  const bench = await openBenchEtcd("archive-tree");
  const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-tree-"));
  const store = openSqliteStore(dir);
  try {
    await seedEtcd(bench.writer, bench.connection);
    const keeper = archiveFolderIndexKeeper(store, CLUSTER);
    const fullPasses: number[] = [];
    for (let run = 0; run < 2; run++) {
      const { index, elapsed } = await firstListing(bench.connection, null);
      fullPasses.push(elapsed);
      index.stop();
    }
    // The keys-only pass saves the index once it is built.
    const { index: first } = await firstListing(bench.connection, keeper);
    await first.save();
    const saved = (await store.loadFolderIndex(CLUSTER))!;
    first.stop();
    const restarts: number[] = [];
    for (let run = 0; run < 5; run++) {
      // Down meanwhile: 500 keys created in a new folder and 500 deleted.
      const ops = [];
      for (let n = 0; n < 500; n++) ops.push(bench.writer.put(`/registry/while-down/r${run}/k${n}`).value("x"));
      for (let n = 0; n < 500; n++) ops.push(bench.writer.delete().key(keyAt(run * 500 + n)));
      for (let at = 0; at < ops.length; at += 100) await Promise.all(ops.slice(at, at + 100).map((op) => op.exec()));
      const { index, elapsed } = await firstListing(bench.connection, keeper);
      const status = index.status();
      if (status.state !== "ready" || status.restoredFrom === null) throw new Error("the restart did not load the saved index");
      restarts.push(elapsed);
      index.stop();
    }
    return [
      `restart with ${KEYS.toLocaleString("en")} keys in etcd, index ready + /registry/ listed:`,
      `  keys-only pass (before): ${ms(median(fullPasses))} (median of ${fullPasses.length})`,
      `  saved index loaded from the archive, caught up over 1,000 writes: ${ms(median(restarts))} (median of ${restarts.length})`,
      `  the saved index: ${(saved.data.length / 1024).toFixed(1)} KiB compressed`,
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await bench.close();
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  for (const engine of ENGINES) {
    if (engine === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-tree-"));
      await openSqliteStore(dir).close();
      const started = performance.now();
      fillSqlite(dir);
      const fillMs = performance.now() - started;
      const store = openSqliteStore(dir);
      try {
        lines.push(...(await benchArchive("SQLite", store, fillMs)));
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    } else if (engine === "postgres") {
      const server = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-bench"), "archive-tree-pg"), quiet: true });
      const store = await openPostgresStore(server.url);
      const started = performance.now();
      await fillPostgres(server.url);
      const fillMs = performance.now() - started;
      try {
        lines.push(...(await benchArchive("PostgreSQL", store, fillMs)));
      } finally {
        await store.close();
        await server.remove();
      }
    }
    console.error(lines.join("\n"));
  }
  if (!SKIP_RESTART) lines.push(...(await benchRestart()));
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
