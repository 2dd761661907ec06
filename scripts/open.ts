// npm run open -- backup.db [other.db …] — opens etcd snapshot files in the dashboard: each is
// checked (etcdctl snapshot status), restored into a private temporary data directory, served by a
// private etcd on free loopback ports and listed as cluster "snapshot:<file name>" (the archive
// never records it). The production dashboard (npm start: scripts/serve.mjs, PORT and HOST
// honoured; `npm run build` first) then starts with those clusters beside any ETCDLENS_CONFIG or
// ETCDCTL_ENDPOINTS cluster, so a snapshot compares with the live cluster. Ctrl-C or SIGTERM stops
// the dashboard and every private etcd and removes the temporary directories. A failure prints one
// line per file and leaves nothing running.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { abandonOpenings, openSnapshots, SnapshotOpenError, type OpenedSnapshot } from "./lib/snapshot-open";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const files = process.argv.slice(2).filter((arg) => arg !== "--");
if (files.length === 0) fail("usage: npm run open -- backup.db [other.db …]");

const distDir = process.env.ETCDLENS_DIST_DIR || ".next";
if (!existsSync(join(process.cwd(), distDir, "required-server-files.json"))) {
  fail(`etcdlens open: no production build in ${distDir}: run \`npm run build\` first`);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
let snapshots: OpenedSnapshot[] = [];
let dashboard: ChildProcess | undefined;
let configFile: string | undefined;
let configDir: string | undefined;
let stopping = false;

async function cleanUp(): Promise<void> {
  await Promise.all(snapshots.map((snapshot) => snapshot.close().catch(() => undefined)));
  snapshots = [];
  // A signal during a restore: etcdctl is killed and the unfinished folder removed.
  abandonOpenings();
  if (configFile) rmSync(configFile, { force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const running = dashboard;
    if (running && running.exitCode === null && running.signalCode === null) {
      await new Promise<void>((done) => {
        running.once("exit", () => done());
        running.kill("SIGTERM");
        setTimeout(() => running.kill("SIGKILL"), 10_000).unref();
      });
    }
    await cleanUp();
  }
  process.exit(code);
}

process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));

// The snapshot clusters join the operator's own configuration file when there is one; the copy is
// written beside it so that its relative paths (certificates, password files) still resolve.
function writeConfig(opened: OpenedSnapshot[]): string {
  const entries = opened.map((snapshot) => ({ name: snapshot.name, endpoints: [snapshot.etcd.endpoint], record: false }));
  const original = process.env.ETCDLENS_CONFIG ? resolve(process.env.ETCDLENS_CONFIG) : undefined;
  let document: Record<string, unknown> = {};
  if (original) {
    const parsed: unknown = parseYaml(readFileSync(original, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) document = parsed as Record<string, unknown>;
  }
  const clusters = Array.isArray(document.clusters) ? document.clusters : [];
  const text = stringifyYaml({ ...document, clusters: [...clusters, ...entries] });
  if (original) {
    const beside = join(dirname(original), `.etcdlens-open-${process.pid}.yaml`);
    try {
      writeFileSync(beside, text, { mode: 0o600 });
      configFile = beside;
      return beside;
    } catch {
      // An unwritable folder: the copy goes to a temporary folder (relative paths then do not resolve).
    }
  }
  configDir = mkdtempSync(join(tmpdir(), "etcdlens-open-"));
  configFile = join(configDir, "etcdlens.yaml");
  writeFileSync(configFile, text, { mode: 0o600 });
  return configFile;
}

async function main(): Promise<void> {
  const started = Date.now();
  try {
    snapshots = await openSnapshots(files, {
      onProgress: ({ file, bytes, elapsedMs }) =>
        console.log(`etcdlens open: restoring ${file}: ${mb(bytes)} in ${(elapsedMs / 1000).toFixed(0)} s`),
    });
  } catch (error) {
    await cleanUp();
    fail(error instanceof SnapshotOpenError ? error.message : `etcdlens open: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (stopping) return;
  for (const snapshot of snapshots) {
    const { hash, revision, totalKey, totalSize } = snapshot.status;
    const hashNote = snapshot.skippedHashCheck ? ", no hash: a member's db, restored with --skip-hash-check" : "";
    console.log(
      `etcdlens open: ${snapshot.file} → cluster "${snapshot.name}" on ${snapshot.etcd.endpoint} (revision ${revision}, ${totalKey} keys, ${mb(totalSize)}, hash ${hash}${hashNote})`,
    );
  }
  console.log(
    `etcdlens open: ${snapshots.length} snapshot(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s; starting the dashboard`,
  );
  const env = { ...process.env, ETCDLENS_CONFIG: writeConfig(snapshots) };
  // Without ETCDLENS_CONFIG and ETCDCTL_ENDPOINTS before, the snapshots are the only clusters: lib/env
  // keeps the ETCDCTL_* cluster beside the file's only when ETCDCTL_ENDPOINTS is set.
  dashboard = spawn(process.execPath, [join(process.cwd(), "scripts", "serve.mjs")], { stdio: "inherit", env });
  dashboard.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`etcdlens open: the dashboard exited (${signal ?? `code ${code}`}); stopping the snapshots' etcd`);
    void stop(code === 0 ? 0 : 1);
  });
}

void main();
