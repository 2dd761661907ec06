// npm run bench:archive — the size of the archive on Kubernetes status churn: Pods whose status
// kubelet rewrites (restart counts, condition times, managedFields time, resourceVersion) and node
// Leases renewed every 10 s, stored as kube-apiserver stores them (protobuf), one event per
// revision as etcd writes them. Stored through the SQLite engine exactly as the recorder stores
// revisions; reports the file's bytes per recorded revision against the raw value bytes.
// lib/archive is server-only, so this runs under tsx with --conditions=react-server (see package.json).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import Database from "better-sqlite3";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { archiveFilePath, openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchivedRevision } from "@/lib/archive/store";
import { churnPodStatus, lease, pod } from "./lib/bench/kube-objects";

const PODS = 200;
const POD_UPDATES = 25;
const LEASES = 100;
const LEASE_RENEWALS = 50;
const PER_TRANSACTION = 2_000;

const EPOCH = Date.parse("2026-11-20T09:00:00Z");
const at = (seconds: number) => new Date(EPOCH + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

type Churn = { key: string; object: JsonObject; update: (object: JsonObject, step: number) => void; steps: number };

function updateLease(object: JsonObject, step: number): void {
  (object.spec as JsonObject).renewTime = at(step * 10).replace("Z", ".000000Z");
}

async function main(): Promise<void> {
  const churn: Churn[] = [];
  for (let i = 0; i < PODS; i++) {
    const name = `app-${i % 20}-7c9d8f6b5-${String(i).padStart(5, "0")}`;
    churn.push({
      key: `/registry/pods/ns-${i % 10}/${name}`,
      object: pod(`ns-${i % 10}`, name, i),
      update: churnPodStatus,
      steps: POD_UPDATES,
    });
  }
  for (let i = 0; i < LEASES; i++) {
    churn.push({
      key: `/registry/leases/kube-node-lease/node-${i}`,
      object: lease(`node-${i}`, i, 0),
      update: updateLease,
      steps: LEASE_RENEWALS,
    });
  }
  // Interleaved as a cluster writes them: each round touches every object still churning.
  const revisions: ArchivedRevision[] = [];
  let revision = 1;
  let rawValueBytes = 0;
  let rawKeyBytes = 0;
  // What deflate of each value alone (no previous version as dictionary) would store, for comparison.
  let aloneBytes = 0;
  const created = new Map<string, number>();
  for (let step = 0; step < Math.max(POD_UPDATES, LEASE_RENEWALS); step++) {
    for (const item of churn) {
      if (step >= item.steps) continue;
      revision += 1;
      if (step > 0) item.update(item.object, step);
      (item.object.metadata as JsonObject).resourceVersion = String(revision);
      const value = Buffer.from(encodeKubernetesObject(item.object));
      const key = Buffer.from(item.key);
      if (!created.has(item.key)) created.set(item.key, revision);
      rawValueBytes += value.length;
      aloneBytes += deflateRawSync(value).length;
      rawKeyBytes += key.length;
      revisions.push({
        revision,
        arrivedAt: EPOCH + revision,
        events: [{ type: "PUT", key, revision, createRevision: created.get(item.key)!, version: step + 1, lease: "0", value }],
      });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "etcdlens-bench-archive-"));
  try {
    const store = openSqliteStore(dir);
    const started = performance.now();
    await store.tryLockRecorder("bench", "bench", 600_000);
    for (let from = 0; from < revisions.length; from += PER_TRANSACTION) {
      await store.appendRevisions("bench", "bench", revisions.slice(from, from + PER_TRANSACTION));
    }
    const elapsed = performance.now() - started;
    // Closing checkpoints the WAL into the file, so its size is all the archive holds.
    await store.close();
    const file = archiveFilePath(dir);
    const db = new Database(file, { readonly: true });
    const stored = db.prepare("SELECT SUM(LENGTH(value)) AS bytes FROM versions").get() as { bytes: number };
    db.close();
    const fileBytes = statSync(file).size;
    const count = revisions.length;
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
    console.log(
      `revisions recorded: ${count} (${PODS} Pods x ${POD_UPDATES} status updates, ${LEASES} Leases x ${LEASE_RENEWALS} renewals)`,
    );
    console.log(`raw value bytes: ${kib(rawValueBytes)} (${(rawValueBytes / count).toFixed(0)} per revision), keys ${kib(rawKeyBytes)}`);
    console.log(
      `stored value bytes: ${kib(stored.bytes)} = ${((100 * stored.bytes) / rawValueBytes).toFixed(1)}% of raw values (deflate of each value alone: ${((100 * aloneBytes) / rawValueBytes).toFixed(1)}%)`,
    );
    console.log(
      `archive file: ${kib(fileBytes)} = ${(fileBytes / count).toFixed(0)} bytes per recorded revision = ${((100 * fileBytes) / rawValueBytes).toFixed(1)}% of raw value bytes (target <= 20%)`,
    );
    console.log(
      `stored in ${(elapsed / 1000).toFixed(2)} s (${Math.round(count / (elapsed / 1000))} revisions/s, ${PER_TRANSACTION} per transaction)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
