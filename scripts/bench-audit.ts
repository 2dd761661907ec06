// npm run bench:audit — what one audit line costs the request that records it, and what making
// every line durable would cost instead: recordAudit's synchronous part (JSON line + one write(2)
// on a file opened O_APPEND, with fdatasync running in the background), against write(2) followed
// by a synchronous fdatasync per line; and the archive's share (SQLite, asynchronous, batched).
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openSqliteStore } from "../lib/archive/sqlite-store";
import type { ArchiveStore } from "../lib/archive/store";
import type { AuditEntry } from "../lib/audit/entry";
import { AuditTrail } from "../lib/audit/trail";

const LINES = 20_000;
const SYNCED_LINES = 500;

const entry = (index: number): AuditEntry => ({
  user: "alice@example.com",
  groups: ["dev", "oncall"],
  via: "oidc",
  cluster: "default",
  key: Buffer.from(`/registry/secrets/team-${index % 50}/db-credentials`),
  revision: 1_000_000 + index,
  field: ["data", "password"],
  action: "reveal",
  outcome: "allowed",
  remoteAddress: "10.0.0.7",
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function describe(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
  console.log(
    `${label}: mean ${us(mean)}, p50 ${us(percentile(sorted, 50))}, p99 ${us(percentile(sorted, 99))}, max ${us(sorted[sorted.length - 1])}`,
  );
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), "etcdlens-bench", `audit-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    // 1. recordAudit as the routes call it: the line is in the kernel when it returns; fdatasync follows.
    const path = join(dir, "audit.log");
    const noArchive = async (): Promise<ArchiveStore | null> => null;
    const trail = new AuditTrail({ target: "file", path }, { archive: noArchive, describeArchiveError: String });
    const recorded: number[] = [];
    const started = performance.now();
    for (let index = 0; index < LINES; index += 1) {
      const before = performance.now();
      trail.record(entry(index));
      recorded.push(performance.now() - before);
      // A request's worth of other work between lines lets the background sync run, as in a server.
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const written = performance.now() - started;
    await trail.flush();
    const synced = performance.now() - started;
    trail.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    if (lines.length !== LINES) throw new Error(`expected ${LINES} lines, found ${lines.length}`);
    const bytes = Buffer.byteLength(lines[0]) + 1;
    describe(`recordAudit, file (${LINES} lines of ${bytes} bytes)`, recorded);
    console.log(`  all written in ${written.toFixed(0)} ms, all on disk (last fdatasync done) after ${synced.toFixed(0)} ms`);

    // 2. The alternative: fdatasync before returning, per line.
    const syncedPath = join(dir, "synced.log");
    const fd = openSync(syncedPath, "a", 0o600);
    const line = Buffer.from(`${lines[0]}\n`);
    const perLine: number[] = [];
    for (let index = 0; index < SYNCED_LINES; index += 1) {
      const before = performance.now();
      writeSync(fd, line);
      fdatasyncSync(fd);
      perLine.push(performance.now() - before);
    }
    closeSync(fd);
    describe(`write + fdatasync per line (${SYNCED_LINES} lines)`, perLine);

    // 3. The archive's copy (SQLite): stored after the answer, in batches; the cost per entry.
    const store = openSqliteStore(join(dir, "archive"));
    const archived = new AuditTrail({ target: "off" }, { archive: async () => store, describeArchiveError: String });
    const archiveStarted = performance.now();
    for (let index = 0; index < LINES; index += 1) {
      archived.record(entry(index));
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await archived.flush();
    const archiveMs = performance.now() - archiveStarted;
    const stored = await store.listAudit({ limit: 1 });
    if (stored[0]?.revision !== 1_000_000 + LINES - 1) throw new Error("the archive does not hold the last entry");
    console.log(
      `archive (SQLite): ${LINES} entries stored in ${archiveMs.toFixed(0)} ms, ${((archiveMs * 1000) / LINES).toFixed(1)} µs per entry`,
    );
    archived.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
