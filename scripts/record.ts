// npm run record — records the history of every configured cluster (ETCDCTL_* or ETCDLENS_CONFIG,
// as the dashboard reads them) into the archive in ETCDLENS_DATA_DIR (default .etcdlens/), or in
// PostgreSQL when ETCDLENS_ARCHIVE_URL=postgres://… is set, until stopped. Several may run on one
// archive: one records each cluster, the others stand by.
// lib/ is server-only, so this runs under tsx with --conditions=react-server (see package.json).
import { resolve } from "node:path";
import { ArchiveRecorder, type RecorderState } from "@/lib/archive/recorder";
import { archiveEngineOf, openArchiveStore } from "@/lib/archive/open-store";
import { archiveFilePath } from "@/lib/archive/sqlite-store";
import { connectCluster } from "@/lib/etcd/client";
import { ConfigurationError, getArchiveSettings, getServerSettings } from "@/lib/env";

const dataDir = resolve(process.env.ETCDLENS_DATA_DIR || ".etcdlens");
const archiveUrl = process.env.ETCDLENS_ARCHIVE_URL || undefined;
const lockTtlMs = process.env.ETCDLENS_RECORDER_LOCK_TTL_MS ? Number(process.env.ETCDLENS_RECORDER_LOCK_TTL_MS) : undefined;

function describeState(state: RecorderState): string {
  switch (state.state) {
    case "standby":
      return "standing by (another recorder holds the lock)";
    case "baseline":
      return `storing a baseline at revision ${state.revision}`;
    case "recording":
      return "recording";
    case "failing":
      return `failing: ${state.error}`;
    default:
      return state.state;
  }
}

async function main(): Promise<void> {
  let clusters;
  let where;
  let retention;
  try {
    clusters = getServerSettings().clusters;
    retention = getArchiveSettings().retention;
    // The URL may hold a password: the log names the setting, not the URL.
    where = archiveEngineOf({ archiveUrl, dataDir }) === "postgres" ? "PostgreSQL (ETCDLENS_ARCHIVE_URL)" : archiveFilePath(dataDir);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`etcdlens record: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (lockTtlMs !== undefined && !(Number.isInteger(lockTtlMs) && lockTtlMs > 0)) {
    console.error("etcdlens record: ETCDLENS_RECORDER_LOCK_TTL_MS must be a positive number of milliseconds");
    process.exit(2);
  }
  const store = await openArchiveStore({ archiveUrl, dataDir });
  const recorders = clusters.map((cluster) => {
    let said = "";
    return new ArchiveRecorder({
      cluster: cluster.name,
      connection: connectCluster(cluster),
      store,
      lockTtlMs,
      keys: cluster.archive,
      retention,
      // One line per change of state, not per revision.
      onState: (state) => {
        const line = describeState(state);
        if (line !== said) console.log(`${cluster.name}: ${line}`);
        said = line;
      },
      log: (message) => console.error(message),
    });
  });
  console.log(`etcdlens record: archiving ${clusters.map((cluster) => cluster.name).join(", ")} into ${where}`);
  for (const recorder of recorders) recorder.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(recorders.map((recorder) => recorder.stop()));
    await store.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

void main();
