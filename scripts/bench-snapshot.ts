// npm run bench:snapshot — how long `npm run open` takes to open a snapshot, per 100 MB: a
// snapshot of the etcd at ETCDCTL_ENDPOINTS (the shared bench keyspace; `etcdctl snapshot save` is a
// read and changes nothing) is saved to a temporary folder, then checked (snapshot status),
// restored and served by a private etcd until it answers a count-only range. Reported beside the
// etcdctl baseline: `snapshot status` and `snapshot restore` run alone on the same file.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { openSnapshot } from "./lib/snapshot-open";
import { ETCDCTL, requireProgram } from "./lib/system-deps";

const endpoint = process.env.ETCDCTL_ENDPOINTS || "127.0.0.1:23790";
const etcdctl = requireProgram(ETCDCTL, "ETCDCTL_BIN");
const folder = mkdtempSync(join(tmpdir(), "etcdlens-bench-snapshot-"));
const env: NodeJS.ProcessEnv = { ...process.env, ETCDCTL_API: "3" };
delete env.ETCDCTL_ENDPOINTS;

const seconds = (since: number) => (Date.now() - since) / 1000;

try {
  const file = join(folder, "bench.db");
  let started = Date.now();
  execFileSync(etcdctl, ["--endpoints", endpoint, "snapshot", "save", file], { env, stdio: "ignore" });
  const saveSeconds = seconds(started);
  const megabytes = statSync(file).size / 1e6;

  started = Date.now();
  const snapshot = await openSnapshot(file, { tempRoot: folder });
  const client = new Etcd3({ hosts: snapshot.etcd.endpoint });
  const keys = Number((await client.getAll().count()) ?? 0);
  const openSeconds = seconds(started);
  client.close();
  await snapshot.close();

  // The baseline: etcdctl alone, status then restore of the same file (no etcd started).
  started = Date.now();
  spawnSync(etcdctl, ["snapshot", "status", file, "-w", "json"], { env, stdio: "ignore" });
  spawnSync(etcdctl, ["snapshot", "restore", file, "--data-dir", join(folder, "baseline")], { env, stdio: "ignore" });
  const baselineSeconds = seconds(started);

  console.log(`snapshot of ${endpoint}: ${megabytes.toFixed(0)} MB, ${keys} keys (saved in ${saveSeconds.toFixed(1)} s)`);
  console.log(
    `open (status + restore + etcd ready): ${openSeconds.toFixed(1)} s, ${((openSeconds * 100) / megabytes).toFixed(1)} s per 100 MB; ` +
      `etcdctl status + restore alone: ${baselineSeconds.toFixed(1)} s, ${((baselineSeconds * 100) / megabytes).toFixed(1)} s per 100 MB`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
