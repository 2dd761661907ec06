// npm run bench:recorder — the archive recorder against a real etcd, on SQLite and on PostgreSQL:
// - live: a writer process puts Kubernetes Pods (about 4 KB, protobuf as kube-apiserver stores
//   them, kubelet's status churn) at a target of 5,000 writes/s for a while; reports what etcd
//   accepted, the events/s the recorder stored, and the lag from each write's ack (in the writer)
//   to the moment the recorder had stored its revision, p50/p99/max;
// - replay: a second recorder, started on a fresh store after those writes, stores the baseline
//   and etcd's retained history; reports its rate;
// - size: the archive's bytes per recorded revision and as % of the raw value bytes;
// - reads: the first page (50) of the history of a key with 100,000 archived revisions
//   (store.historyOf) and the value of a key at an archived revision (store.versionAt).
// The writer is a child process so its CPU is not charged to the recorder's event loop; both
// share this machine's cores with etcd (and PostgreSQL), which is what limits the write rate.
// lib/archive is server-only, so this runs under tsx with --conditions=react-server.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Etcd3 } from "etcd3";
import pg from "pg";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import { archiveFilePath, openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchivedRevision, ArchiveStore } from "@/lib/archive/store";
import { connectCluster } from "@/lib/etcd/client";
import { readCurrentRevision } from "@/lib/etcd/watch";
import { churnPodStatus, pod } from "./lib/bench/kube-objects";
import { scratchDir, startEtcd } from "./lib/etcd-process";
import { startPostgres, type PostgresProcess } from "./lib/postgres-process";

const TARGET_WRITES_PER_S = Number(process.env.BENCH_RECORDER_RATE ?? 5_000);
const WRITE_SECONDS = Number(process.env.BENCH_RECORDER_SECONDS ?? 15);
const PODS = 1_000;
const VARIANTS = 8;
/** Puts in flight at most: enough to keep etcd busy, bounded so a slow etcd does not queue seconds of writes in the client. */
const IN_FLIGHT = 256;
const HISTORY_REVISIONS = 100_000;
const CLUSTER = "bench";

const ms = (value: number) => `${value.toFixed(1)} ms`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

type WriterResult = { revisions: number[]; ackedAt: number[]; valueBytes: number; elapsedMs: number };

/** The writer process: paced puts of churning Pods, every ack's revision and wall-clock time written to `out`. */
async function runWriter(endpoint: string, out: string): Promise<void> {
  const values: Buffer[][] = [];
  for (let i = 0; i < PODS; i++) {
    const object = pod(`ns-${i % 10}`, `app-${i % 20}-7c9d8f6b5-${String(i).padStart(5, "0")}`, i);
    const metadata = object.metadata as JsonObject;
    // Padding to about 4 KB, as a Pod with a few more labels and annotations is.
    metadata.annotations = { ...(metadata.annotations as JsonObject), "example.com/notes": "n".repeat(400) };
    const versions: Buffer[] = [];
    for (let step = 0; step < VARIANTS; step++) {
      if (step > 0) churnPodStatus(object, step);
      metadata.resourceVersion = String(1000 + step);
      versions.push(Buffer.from(encodeKubernetesObject(object)));
    }
    values.push(versions);
  }
  const keys = Array.from({ length: PODS }, (_, i) => `/registry/pods/ns-${i % 10}/app-${String(i).padStart(5, "0")}`);
  const client = new Etcd3({ hosts: [endpoint] });
  const total = TARGET_WRITES_PER_S * WRITE_SECONDS;
  const revisions: number[] = [];
  const ackedAt: number[] = [];
  let issued = 0;
  let inFlight = 0;
  let valueBytes = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    // Bounded in time as well: an etcd slower than the target gets fewer writes, not a longer run.
    let open = true;
    const issue = () => {
      const elapsed = performance.now() - started;
      if (elapsed >= WRITE_SECONDS * 1000) open = false;
      const due = open ? Math.min(total, Math.floor((elapsed / 1000) * TARGET_WRITES_PER_S)) : issued;
      while (issued < due && inFlight < IN_FLIGHT) {
        const index = issued++;
        const value = values[index % PODS][Math.floor(index / PODS) % VARIANTS];
        valueBytes += value.length;
        inFlight += 1;
        client
          .put(keys[index % PODS])
          .value(value)
          .exec()
          .then((answer) => {
            ackedAt.push(Date.now());
            revisions.push(Number(answer.header.revision));
            inFlight -= 1;
            if ((issued >= total || !open) && inFlight === 0) resolve();
          }, reject);
      }
      if (issued < total && open) setTimeout(issue, 2);
      else if (inFlight === 0) resolve();
    };
    issue();
  });
  const elapsedMs = performance.now() - started;
  client.close();
  const result: WriterResult = { revisions, ackedAt, valueBytes, elapsedMs };
  writeFileSync(out, JSON.stringify(result));
}

function spawnWriter(endpoint: string): Promise<WriterResult> {
  const out = join(mkdtempSync(join(tmpdir(), "etcdlens-bench-writer-")), "acks.json");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=react-server", "scripts/bench-recorder.ts", "--writer", endpoint, out],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`the writer exited with code ${code}`));
      const result = JSON.parse(readFileSync(out, "utf8")) as WriterResult;
      rmSync(join(out, ".."), { recursive: true, force: true });
      resolve(result);
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Engine = {
  name: string;
  /** A fresh, empty store, and its size on disk (SQLite) or in the database (PostgreSQL), which closes it. */
  open: () => Promise<{ store: ArchiveStore; size: () => Promise<number> }>;
};

async function benchEngine(engine: Engine): Promise<void> {
  const etcd = await startEtcd({
    dataDir: scratchDir(join(tmpdir(), "etcdlens-bench"), `recorder-${engine.name}`),
    quiet: true,
    extraArgs: ["--quota-backend-bytes", String(8 * 2 ** 30)],
  });
  const connection = connectCluster({ endpoints: [etcd.endpoint], requestTimeoutMs: 10_000 });
  try {
    // Live: the recorder follows an empty etcd, then the writer starts.
    const { store, size } = await engine.open();
    const stored: { revision: number; at: number }[] = [];
    const recorder = new ArchiveRecorder({
      cluster: CLUSTER,
      connection,
      store,
      onState: (state) => {
        if (state.state === "recording") stored.push({ revision: state.lastRevision, at: Date.now() });
      },
      log: (message) => console.log(`  recorder: ${message}`),
    });
    recorder.start();
    await waitFor("the recorder records", () => recorder.state.state === "recording", 30_000);
    const startRevision = await readCurrentRevision(connection);
    const written = await spawnWriter(etcd.endpoint);
    const lastWritten = Math.max(...written.revisions);
    const writtenAt = Date.now();
    await waitFor(`the recorder stored revision ${lastWritten}`, () => recorder.lastStoredRevision >= lastWritten, 300_000);
    const caughtUpMs = Date.now() - writtenAt;
    await recorder.stop();
    const accepted = written.revisions.length / (written.elapsedMs / 1000);
    // Lag: from a write's ack to the first moment the recorder had stored its revision.
    const acks = written.revisions.map((revision, i) => ({ revision, at: written.ackedAt[i] })).sort((a, b) => a.revision - b.revision);
    const lags: number[] = [];
    let next = 0;
    for (const ack of acks) {
      while (next < stored.length && stored[next].revision < ack.revision) next += 1;
      if (next < stored.length) lags.push(Math.max(0, stored[next].at - ack.at));
    }
    lags.sort((a, b) => a - b);
    const firstAck = Math.min(...written.ackedAt);
    const lastStoredAt = stored[stored.length - 1].at;
    const sustained = (lastWritten - startRevision) / ((lastStoredAt - firstAck) / 1000);
    console.log(
      `${engine.name}: live, target ${TARGET_WRITES_PER_S.toLocaleString()} writes/s for ${WRITE_SECONDS} s of ${(written.valueBytes / written.revisions.length / 1024).toFixed(1)} KB Pods: etcd accepted ${Math.round(accepted).toLocaleString()} writes/s (${written.revisions.length.toLocaleString()} in ${(written.elapsedMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `${engine.name}: recorder stored ${Math.round(sustained).toLocaleString()} events/s sustained (first ack to last revision stored); lag from ack to stored p50 ${ms(percentile(lags, 50))}, p99 ${ms(percentile(lags, 99))}, max ${ms(lags[lags.length - 1])} (${lags.length.toLocaleString()} writes; caught up ${caughtUpMs} ms after the last write; target p99 < 1 s)`,
    );
    const liveRevisions = lastWritten - startRevision;
    const bytes = await size();
    console.log(
      `${engine.name}: size: ${bytes.toLocaleString()} bytes for ${liveRevisions.toLocaleString()} revisions = ${(bytes / liveRevisions).toFixed(0)} bytes per recorded revision = ${((100 * bytes) / written.valueBytes).toFixed(1)}% of the raw value bytes (${(written.valueBytes / liveRevisions).toFixed(0)} per revision; target <= 20%)`,
    );

    // Replay: a recorder started after those writes stores the baseline and etcd's whole retained history.
    const { store: replayStore } = await engine.open();
    const replayer = new ArchiveRecorder({ cluster: CLUSTER, connection, store: replayStore });
    const current = await readCurrentRevision(connection);
    const replayStarted = performance.now();
    replayer.start();
    await waitFor(`the replaying recorder stored revision ${current}`, () => replayer.lastStoredRevision >= current, 600_000);
    const replayMs = performance.now() - replayStarted;
    await replayer.stop();
    console.log(
      `${engine.name}: replay of etcd's retained history (${current.toLocaleString()} revisions, baseline of ${PODS} keys included) by a recorder started after the writes: ${(replayMs / 1000).toFixed(1)} s = ${Math.round(current / (replayMs / 1000)).toLocaleString()} revisions/s (target >= ${TARGET_WRITES_PER_S.toLocaleString()})`,
    );
    await replayStore.close();

    await benchReads(engine);
  } finally {
    connection.client.close();
    await etcd.stop();
    rmSync(etcd.dataDir, { recursive: true, force: true });
  }
}

/** One key with 100,000 archived revisions (a Pod's status churn), stored as the recorder stores them; then reads timed. */
async function benchReads(engine: Engine): Promise<void> {
  const { store } = await engine.open();
  await store.tryLockRecorder(CLUSTER, "bench", 600_000);
  const object = pod("ns-0", "hot-pod", 0);
  const key = Buffer.from("/registry/pods/ns-0/hot-pod");
  // Encoding a Pod costs more than storing it: 256 status updates, cycled.
  const values = Array.from({ length: 256 }, (_, step) => {
    churnPodStatus(object, step + 1);
    (object.metadata as JsonObject).resourceVersion = String(step + 1);
    return Buffer.from(encodeKubernetesObject(object));
  });
  const fillStarted = performance.now();
  const batch: ArchivedRevision[] = [];
  for (let revision = 1; revision <= HISTORY_REVISIONS; revision++) {
    const value = values[revision % values.length];
    batch.push({
      revision,
      arrivedAt: 1_700_000_000_000 + revision,
      events: [{ type: "PUT", key, revision, createRevision: 1, version: revision, lease: "0", value }],
    });
    if (batch.length === 2_000) await store.appendRevisions(CLUSTER, "bench", batch.splice(0));
  }
  const fillMs = performance.now() - fillStarted;
  const time = async (work: () => Promise<void>, runs: number) => {
    await work();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const at = performance.now();
      await work();
      samples.push(performance.now() - at);
    }
    return samples.sort((a, b) => a - b);
  };
  const firstPage = await time(async () => {
    const page = await store.historyOf(CLUSTER, key, { limit: 50 });
    if (page.length !== 50 || page[0].revision !== HISTORY_REVISIONS) throw new Error("the first history page is wrong");
  }, 25);
  const olderPage = await time(async () => {
    const page = await store.historyOf(CLUSTER, key, { limit: 50, before: HISTORY_REVISIONS / 2 });
    if (page.length !== 50) throw new Error("the middle history page is wrong");
  }, 25);
  let seed = 7;
  const versionAt = await time(async () => {
    seed = (seed * 48271) % 2147483647;
    const revision = 1 + (seed % HISTORY_REVISIONS);
    const version = await store.versionAt(CLUSTER, key, revision);
    if (version?.revision !== revision || version.value.length === 0) throw new Error(`versionAt ${revision} is wrong`);
  }, 100);
  console.log(
    `${engine.name}: reads on a key with ${HISTORY_REVISIONS.toLocaleString()} archived revisions (stored in ${(fillMs / 1000).toFixed(1)} s = ${Math.round(HISTORY_REVISIONS / (fillMs / 1000)).toLocaleString()} revisions/s through appendRevisions): history first page of 50 median ${ms(percentile(firstPage, 50))} (max ${ms(firstPage[firstPage.length - 1])}; target <= 100 ms), a page from the middle median ${ms(percentile(olderPage, 50))}; versionAt a random revision median ${ms(percentile(versionAt, 50))}, p99 ${ms(percentile(versionAt, 99))} (target <= 20 ms)`,
  );
  await store.close();
}

async function main(): Promise<void> {
  const dirs: string[] = [];
  const sqlite: Engine = {
    name: "SQLite",
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-recorder-"));
      dirs.push(dir);
      const store = openSqliteStore(dir);
      // Closing checkpoints the WAL into the file, so its size is all the archive holds.
      return { store, size: async () => (await store.close(), statSync(archiveFilePath(dir)).size) };
    },
  };
  let postgres: PostgresProcess | undefined;
  let databases = 0;
  const postgresEngine: Engine = {
    name: "PostgreSQL",
    open: async () => {
      postgres ??= await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-bench"), "recorder-pg"), quiet: true });
      const url = await postgres.createDatabase(`bench_${++databases}`);
      const store = await openPostgresStore(url);
      const size = async () => {
        await store.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query("VACUUM");
          const { rows } = await client.query<{ bytes: string }>(
            "SELECT SUM(pg_total_relation_size(c.oid))::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'etcdlens' AND c.relkind = 'r'",
          );
          return Number(rows[0].bytes);
        } finally {
          await client.end();
        }
      };
      return { store, size };
    },
  };
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(1))
      .join(" ");
  console.log(`load average at the start: ${load()} (${cpus().length} cores; the writer, etcd, PostgreSQL and the recorder share them)`);
  try {
    await benchEngine(sqlite);
    await benchEngine(postgresEngine);
    console.log(`load average at the end: ${load()}`);
  } finally {
    await postgres?.remove();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--writer") {
  await runWriter(process.argv[3], process.argv[4]);
} else {
  await main();
}
