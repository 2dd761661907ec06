import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { findFreePort, startEtcd, type EtcdProcess } from "./etcd-process";
import { ETCDCTL, requireProgram } from "./system-deps";

// `npm run open`'s library part: a snapshot file (etcdctl snapshot save, or a member's
// member/snap/db) is checked with `etcdctl snapshot status`, restored into a private temporary
// data directory and served by a private etcd on free loopback ports. Nothing here writes to the
// file; the dashboard only reads the etcd. Every failure is one line naming the file, and leaves
// no etcd running and no temporary directory behind.

export type SnapshotStatus = { hash: number; revision: number; totalKey: number; totalSize: number };

export type OpenedSnapshot = {
  file: string;
  /** The cluster name the dashboard shows: "snapshot:<file name>". */
  name: string;
  status: SnapshotStatus;
  /** True when the file carried no hash (a member's member/snap/db) and was restored with --skip-hash-check. */
  skippedHashCheck: boolean;
  etcd: EtcdProcess;
  tempDir: string;
  /** Stops the etcd and removes the temporary data directory. */
  close: () => Promise<void>;
};

export class SnapshotOpenError extends Error {}

// What an open under way has started (etcdctl runs, temporary folders), for abandonOpenings on a signal.
const underWay = new Set<() => void>();

/** Kills etcdctl runs under way and removes the temporary folders of openings not finished (Ctrl-C mid-restore). */
export function abandonOpenings(): void {
  for (const undo of underWay) undo();
  underWay.clear();
}

export type RestoreProgress = { file: string; bytes: number; elapsedMs: number };

export type OpenOptions = {
  /** Where the temporary data directories go (the system's temporary folder by default). */
  tempRoot?: string;
  /** Called about once a second while a restore runs, with the bytes the data directory holds. */
  onProgress?: (progress: RestoreProgress) => void;
  /** Snapshot names already taken (two files of the same name get "-2", "-3"). */
  taken?: Set<string>;
};

/** The cluster name of a snapshot file: "snapshot:" and its file name, with characters a name cannot hold replaced. */
export function snapshotClusterName(file: string, taken: Set<string> = new Set()): string {
  const base =
    basename(file)
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 190) || "snapshot";
  let name = `snapshot:${base}`;
  for (let n = 2; taken.has(name); n++) name = `snapshot:${base}-${n}`;
  taken.add(name);
  return name;
}

type Run = { code: number | null; stdout: string; stderr: string };

function runEtcdctl(args: string[]): Promise<Run> {
  const binary = requireProgram(ETCDCTL, "ETCDCTL_BIN");
  return new Promise((resolve, reject) => {
    // ETCDCTL_* from the caller's environment would point etcdctl at the live cluster; a snapshot command needs none.
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("ETCDCTL_")) delete env[name];
    env.ETCDCTL_API = "3";
    const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, 200_000)));
    child.on("error", reject);
    const kill = () => child.kill("SIGKILL");
    underWay.add(kill);
    child.on("close", (code: number | null) => {
      underWay.delete(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

// etcdctl's errors come as "Error: ..." lines or zap JSON; the last meaningful line says why.
function lastError(stderr: string): string {
  // bbolt panics on a damaged file: the panic's own line, not the last frame of its stack trace.
  const panic = /^(?:panic|fatal error): (.+)$/m.exec(stderr);
  if (panic) return `etcdctl crashed reading it, the file is damaged or truncated: ${panic[1].trim()}`;
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  for (const line of lines.reverse()) {
    if (line.startsWith("{")) {
      try {
        const entry = JSON.parse(line) as { msg?: string; error?: string };
        if (entry.error || entry.msg) return [entry.msg, entry.error].filter(Boolean).join(": ");
      } catch {
        /* not JSON: use the line itself */
      }
    }
    return line.replace(/^Error:\s*/, "");
  }
  return "etcdctl failed";
}

/** Checks that `file` exists, is a readable regular file and an etcd snapshot; returns its status. */
export async function readSnapshotStatus(file: string): Promise<SnapshotStatus> {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    throw new SnapshotOpenError(`${file}: no such file`);
  }
  if (!stats.isFile()) throw new SnapshotOpenError(`${file}: not a regular file`);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new SnapshotOpenError(`${file}: permission denied`);
  }
  if (stats.size === 0) throw new SnapshotOpenError(`${file}: empty file, not an etcd snapshot`);
  const run = await runEtcdctl(["snapshot", "status", file, "-w", "json"]);
  if (run.code !== 0)
    throw new SnapshotOpenError(`${file}: not a readable etcd snapshot (etcdctl snapshot status: ${lastError(run.stderr)})`);
  let status: SnapshotStatus;
  try {
    status = JSON.parse(run.stdout) as SnapshotStatus;
    if (typeof status.revision !== "number") throw new Error("no revision");
  } catch {
    throw new SnapshotOpenError(`${file}: etcdctl snapshot status gave no status`);
  }
  // bbolt's size is its highest page's end: a file shorter than that lost its tail. A truncated
  // file can pass status and even restore (its size a multiple of 512 reads as "no hash").
  if (stats.size < status.totalSize) {
    throw new SnapshotOpenError(`${file}: truncated (${stats.size} bytes; the snapshot says ${status.totalSize})`);
  }
  return status;
}

function directoryBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
    } catch {
      /* removed while counting */
    }
  }
  return total;
}

async function restore(
  file: string,
  dataDir: string,
  peerPort: number,
  skipHashCheck: boolean,
  onProgress?: OpenOptions["onProgress"],
): Promise<Run> {
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = ["snapshot", "restore", file, "--data-dir", dataDir, "--name", "etcdlens"];
  args.push("--initial-cluster", `etcdlens=${peerUrl}`, "--initial-advertise-peer-urls", peerUrl);
  if (skipHashCheck) args.push("--skip-hash-check");
  const started = Date.now();
  // etcdctl prints no progress: the data directory's growth is the measure.
  const timer = onProgress
    ? setInterval(() => onProgress({ file, bytes: directoryBytes(dataDir), elapsedMs: Date.now() - started }), 1000)
    : undefined;
  try {
    return await runEtcdctl(args);
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Checks, restores and serves one snapshot file; throws SnapshotOpenError (one line) with nothing left behind. */
export async function openSnapshot(file: string, options: OpenOptions = {}): Promise<OpenedSnapshot> {
  const status = await readSnapshotStatus(file);
  const tempDir = mkdtempSync(join(options.tempRoot ?? tmpdir(), "etcdlens-snapshot-"));
  const remove = () => {
    underWay.delete(remove);
    rmSync(tempDir, { recursive: true, force: true });
  };
  underWay.add(remove);
  const dataDir = join(tempDir, "data");
  let etcd: EtcdProcess | undefined;
  try {
    const peerPort = await findFreePort();
    let clientPort = await findFreePort();
    while (clientPort === peerPort) clientPort = await findFreePort();
    let skippedHashCheck = false;
    let run = await restore(file, dataDir, peerPort, false, options.onProgress);
    // A member's member/snap/db has no hash appended; etcdctl then asks for --skip-hash-check.
    if (run.code !== 0 && /skip-hash-check/.test(run.stderr)) {
      rmSync(dataDir, { recursive: true, force: true });
      skippedHashCheck = true;
      run = await restore(file, dataDir, peerPort, true, options.onProgress);
    }
    if (run.code !== 0) throw new SnapshotOpenError(`${file}: restore failed (etcdctl snapshot restore: ${lastError(run.stderr)})`);
    try {
      etcd = await startEtcd({ dataDir, keepData: true, peerPort, clientPort, quiet: true });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      throw new SnapshotOpenError(`${file}: etcd failed to start on the restored data (${reason})`);
    }
    const running = etcd;
    return {
      file,
      name: snapshotClusterName(file, options.taken),
      status,
      skippedHashCheck,
      etcd: running,
      tempDir,
      close: async () => {
        await running.stop();
        remove();
      },
    };
  } catch (error) {
    await etcd?.stop();
    remove();
    throw error instanceof SnapshotOpenError
      ? error
      : new SnapshotOpenError(`${file}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
}

/**
 * Opens every file; when one fails, the ones opened are closed again and every file's failure is
 * in the error (one line each).
 */
export async function openSnapshots(files: string[], options: OpenOptions = {}): Promise<OpenedSnapshot[]> {
  const taken = options.taken ?? new Set<string>();
  const opened: OpenedSnapshot[] = [];
  const failures: string[] = [];
  for (const file of files) {
    try {
      opened.push(await openSnapshot(file, { ...options, taken }));
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) {
    await Promise.all(opened.map((snapshot) => snapshot.close()));
    throw new SnapshotOpenError(failures.join("\n"));
  }
  return opened;
}

/** The ETCDLENS_CONFIG clusters: entries for opened snapshots (YAML lines; archive recording off). */
export function snapshotClusterEntries(snapshots: OpenedSnapshot[]): string[] {
  return snapshots.flatMap((snapshot) => [
    `  - name: ${JSON.stringify(snapshot.name)}`,
    `    endpoints: [${snapshot.etcd.endpoint}]`,
    "    record: false",
  ]);
}
