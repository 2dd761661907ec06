// npm run bench:insights [-- --revisions 1000000] [--engines sqlite,postgres] — the Insights page's
// growth query (ArchiveStore.writesPerBucket) on an archive of --revisions live revisions spread
// evenly over the last 7 days, one write each to 100,000 keys in 20 folders under /registry/:
// 24 h in 5-minute buckets and 7 d in hourly ones, per folder under /registry/ and under /, timed
// on SQLite and PostgreSQL (Debian's, started here), with the plan SQLite chose. The archive is
// bulk-loaded in the engines' own schema (the recorder's write path would take many minutes).
// lib/ is server-only, so this runs under tsx with --conditions=react-server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { archiveFilePath, openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore } from "@/lib/archive/store";
import { growthWindow, type GrowthRange } from "@/lib/insights/growth";
import { flagValue } from "./lib/bench/target-etcd";
import { median } from "./lib/bench/measure";
import { scratchDir } from "./lib/etcd-process";
import { startPostgres, type PostgresProcess } from "./lib/postgres-process";

const REVISIONS = Number(flagValue("--revisions") ?? 1_000_000);
const ENGINES = (flagValue("--engines") ?? "sqlite,postgres").split(",");
const KEYS = 100_000;
const FOLDERS = [
  "pods",
  "events",
  "leases",
  "configmaps",
  "secrets",
  "replicasets",
  "deployments",
  "services",
  "endpointslices",
  "nodes",
].flatMap((name) => [name, `${name}-b`]);
const CLUSTER = "bench";
const NOW = Date.now();
const WEEK_MS = 7 * 24 * 3_600_000;
const VALUE = Buffer.alloc(200, 7);

const keyOf = (i: number) => Buffer.from(`/registry/${FOLDERS[i % FOLDERS.length]}/ns-${i % 50}/obj-${i}`);
const arrivalOf = (revision: number) => NOW - WEEK_MS + Math.floor((revision / REVISIONS) * WEEK_MS);

function fillSqlite(dir: string): void {
  const db = new Database(archiveFilePath(dir));
  db.transaction(() => {
    const cluster = Number(
      db
        .prepare("INSERT INTO clusters (name, last_revision, first_revision, recording_since) VALUES (?, ?, 1, ?)")
        .run(CLUSTER, REVISIONS, NOW - WEEK_MS).lastInsertRowid,
    );
    const insertKey = db.prepare("INSERT INTO keys (cluster_id, key) VALUES (?, ?)");
    for (let i = 0; i < KEYS; i++) insertKey.run(cluster, keyOf(i));
    const insertVersion = db.prepare(
      `INSERT INTO versions (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
       VALUES (?, ?, ?, 0, 0, ?, 1, '0', 0, 0, NULL, ?)`,
    );
    const insertRevision = db.prepare("INSERT INTO revisions (cluster_id, revision, arrived_at) VALUES (?, ?, ?)");
    for (let revision = 1; revision <= REVISIONS; revision++) {
      insertVersion.run((revision % KEYS) + 1, revision, cluster, revision, VALUE);
      insertRevision.run(cluster, revision, arrivalOf(revision));
    }
  })();
  db.exec("ANALYZE");
  db.close();
}

async function fillPostgres(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ id: number }>(
      "INSERT INTO etcdlens.clusters (name, last_revision, first_revision, recording_since) VALUES ($1, $2, 1, $3) RETURNING id",
      [CLUSTER, REVISIONS, NOW - WEEK_MS],
    );
    const cluster = rows[0].id;
    const keys = await pool.query<{ id: string }>(
      "INSERT INTO etcdlens.keys (cluster_id, key) SELECT $1, unnest($2::bytea[]) RETURNING id",
      [cluster, Array.from({ length: KEYS }, (_, i) => keyOf(i))],
    );
    const ids = keys.rows.map((row) => row.id);
    for (let from = 1; from <= REVISIONS; from += 20_000) {
      const revisions = Array.from({ length: Math.min(20_000, REVISIONS - from + 1) }, (_, i) => from + i);
      await pool.query(
        `INSERT INTO etcdlens.versions (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
         SELECT k, r, $1, 0, false, r, 1, '0', 0, 0, NULL, $4 FROM unnest($2::int8[], $3::int8[]) AS t(k, r)`,
        [cluster, revisions.map((revision) => ids[revision % KEYS]), revisions, VALUE],
      );
      await pool.query(
        "INSERT INTO etcdlens.revisions (cluster_id, revision, arrived_at) SELECT $1, r, a FROM unnest($2::int8[], $3::int8[]) AS t(r, a)",
        [cluster, revisions, revisions.map(arrivalOf)],
      );
    }
    await pool.query("ANALYZE");
  } finally {
    await pool.end();
  }
}

async function timeQueries(engine: string, store: ArchiveStore, fillMs: number): Promise<string[]> {
  const lines = [`${engine}: ${REVISIONS.toLocaleString("en")} revisions over 7 days bulk-loaded in ${(fillMs / 1000).toFixed(1)} s`];
  for (const range of ["24h", "7d"] as GrowthRange[]) {
    for (const prefix of ["/registry/", "/"]) {
      const window = growthWindow(range, NOW);
      const query = { prefix: Buffer.from(prefix), fromMs: window.fromMs, toMs: window.toMs, bucketMs: window.bucketMs, maxRows: 50_000 };
      const times: number[] = [];
      let rows = 0;
      let writes = 0;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const answer = await store.writesPerBucket(CLUSTER, query);
        times.push(performance.now() - started);
        rows = answer.length;
        writes = answer.reduce((sum, row) => sum + row.writes, 0);
      }
      lines.push(
        `  ${range} under ${prefix}: ${median(times).toFixed(0)} ms median of 3 (${writes.toLocaleString("en")} writes in ${rows.toLocaleString("en")} bucket × folder rows)`,
      );
    }
  }
  // What readWriteGrowth asks at a time (lib/archive/write-growth.ts): on SQLite, the longest Node's event loop is held.
  const week = growthWindow("7d", NOW);
  const sliceTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await store.writesPerBucket(CLUSTER, {
      prefix: Buffer.from("/registry/"),
      fromMs: week.toMs - 6 * 3_600_000,
      toMs: week.toMs,
      bucketMs: week.bucketMs,
      maxRows: 50_000,
    });
    sliceTimes.push(performance.now() - started);
  }
  lines.push(`  one 6 h slice of the 7d query (what the page asks at a time): ${median(sliceTimes).toFixed(0)} ms median of 3`);
  return lines;
}

async function main(): Promise<void> {
  const output: string[] = [];
  if (ENGINES.includes("sqlite")) {
    const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-insights-"));
    try {
      await openSqliteStore(dir).close();
      const started = performance.now();
      fillSqlite(dir);
      const fillMs = performance.now() - started;
      const store = openSqliteStore(dir);
      output.push(...(await timeQueries("SQLite", store, fillMs)));
      await store.close();
      const db = new Database(archiveFilePath(dir), { readonly: true });
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT COUNT(*) FROM revisions r JOIN versions v ON v.cluster_id = r.cluster_id AND v.revision = r.revision
           JOIN keys k ON k.id = v.key_id WHERE r.cluster_id = 1 AND r.arrived_at >= 0 AND r.arrived_at < 1`,
        )
        .all() as { detail: string }[];
      output.push(`  SQLite plan: ${plan.map((step) => step.detail).join("; ")}`);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (ENGINES.includes("postgres")) {
    let postgres: PostgresProcess | undefined;
    try {
      postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-bench"), "insights-postgres"), quiet: true });
      await (await openPostgresStore(postgres.url)).close();
      const started = performance.now();
      await fillPostgres(postgres.url);
      const fillMs = performance.now() - started;
      const store = await openPostgresStore(postgres.url);
      output.push(...(await timeQueries("PostgreSQL", store, fillMs)));
      await store.close();
    } finally {
      await postgres?.remove();
    }
  }
  console.log(output.join("\n"));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
