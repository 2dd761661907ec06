// npm run bench:prune — the archive's retention on SQLite and on PostgreSQL: an archive of 1,000
// churning 4 KB Pods (40 versions each, stored as the recorder stores them) is cut to half its size
// batch after batch, with the recorder's own pause between batches. Reports the time per batch
// (p50/max), how long Node's event loop was held at most (perf_hooks monitorEventLoopDelay: on
// SQLite a batch runs synchronously, so that is what a dashboard request waits behind), and the
// versions removed per second. lib/archive is server-only, so this runs under tsx with
// --conditions=react-server.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { PRUNE_PAUSE_MS } from "@/lib/archive/recorder";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchivedRevision, ArchiveStore } from "@/lib/archive/store";
import { churnPodStatus, pod } from "./lib/bench/kube-objects";
import { scratchDir } from "./lib/etcd-process";
import { startPostgres, type PostgresProcess } from "./lib/postgres-process";

const KEYS = 1_000;
const VERSIONS_PER_KEY = 40;
const VARIANTS = 8;
const CLUSTER = "bench";
const HOLDER = "bench";

const ms = (value: number) => `${value.toFixed(1)} ms`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function podValues(): Buffer[][] {
  return Array.from({ length: KEYS }, (_, i) => {
    const object = pod(`ns-${i % 10}`, `app-${String(i).padStart(5, "0")}`, i);
    return Array.from({ length: VARIANTS }, (_, step) => {
      if (step > 0) churnPodStatus(object, step);
      (object.metadata as JsonObject).resourceVersion = String(1000 + step);
      return Buffer.from(encodeKubernetesObject(object));
    });
  });
}

async function fill(store: ArchiveStore, values: Buffer[][]): Promise<number> {
  await store.tryLockRecorder(CLUSTER, HOLDER, 3_600_000);
  const batch: ArchivedRevision[] = [];
  let revision = 0;
  for (let round = 0; round < VERSIONS_PER_KEY; round++) {
    for (let i = 0; i < KEYS; i++) {
      revision += 1;
      const key = Buffer.from(`/registry/pods/ns-${i % 10}/app-${String(i).padStart(5, "0")}`);
      const value = values[i][round % VARIANTS];
      batch.push({
        revision,
        arrivedAt: 1_700_000_000_000 + revision,
        events: [{ type: "PUT", key, revision, createRevision: i + 1, version: round + 1, lease: "0", value }],
      });
      if (batch.length === 2_000) await store.appendRevisions(CLUSTER, HOLDER, batch.splice(0));
    }
  }
  if (batch.length > 0) await store.appendRevisions(CLUSTER, HOLDER, batch.splice(0));
  return revision;
}

async function benchEngine(name: string, store: ArchiveStore, values: Buffer[][]): Promise<void> {
  const revisions = await fill(store, values);
  const before = (await store.coverage(CLUSTER)).storedBytes ?? 0;
  const maxBytes = Math.round(before / 2);
  const batches: number[] = [];
  let removed = 0;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  for (;;) {
    const at = performance.now();
    const result = await store.prune(CLUSTER, HOLDER, { maxBytes });
    batches.push(performance.now() - at);
    removed += result.removedVersions;
    if (result.done) break;
    await new Promise((resolve) => setTimeout(resolve, PRUNE_PAUSE_MS));
  }
  const elapsed = performance.now() - started;
  delay.disable();
  const busy = batches.reduce((sum, batch) => sum + batch, 0);
  batches.sort((a, b) => a - b);
  const after = await store.coverage(CLUSTER);
  console.log(
    `${name}: retention to half of ${before.toLocaleString()} bytes (${revisions.toLocaleString()} revisions): ${removed.toLocaleString()} versions removed in ${batches.length} batches, ${(elapsed / 1000).toFixed(1)} s with ${PRUNE_PAUSE_MS} ms pauses (${Math.round(removed / (busy / 1000)).toLocaleString()} versions/s while pruning); a batch p50 ${ms(percentile(batches, 50))}, max ${ms(batches[batches.length - 1])}; event loop held at most ${ms(delay.max / 1e6)} (p99 ${ms(delay.percentile(99) / 1e6)}); archive now from revision ${after.firstRevision}, ${(after.storedBytes ?? 0).toLocaleString()} bytes`,
  );
  await store.close();
}

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(1))
      .join(" ");
  console.log(`load average at the start: ${load()} (${cpus().length} cores)`);
  const values = podValues();
  const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-prune-"));
  let postgres: PostgresProcess | undefined;
  try {
    await benchEngine("SQLite", openSqliteStore(dir), values);
    postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-bench"), "prune-pg"), quiet: true });
    await benchEngine("PostgreSQL", await openPostgresStore(await postgres.createDatabase("bench_prune")), values);
    console.log(`load average at the end: ${load()}`);
  } finally {
    await postgres?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
