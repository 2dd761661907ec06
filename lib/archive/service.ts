import "server-only";
import { resolve } from "node:path";
import { getCluster } from "@/lib/etcd/client";
import { ConfigurationError, getArchiveSettings, getServerSettings, type ArchiveSettings } from "@/lib/env";
import { archiveEngineOf, openArchiveStore } from "./open-store";
import { ArchiveRecorder, type RecorderState } from "./recorder";
import type { ArchiveCoverage, ArchiveStore } from "./store";

// The dashboard's one archive: the store every view reads past etcd's compaction from, and the
// recorders this process runs (one per configured cluster; the store's lock lets one replica
// record each cluster while the others stand by and read). Held on globalThis so that Next's
// route bundles and instrumentation share one store and one recorder per cluster.

type ArchiveService = {
  settings: ArchiveSettings;
  store: Promise<ArchiveStore>;
  /** When the store was last asked to open (one that failed is opened again after REOPEN_MS). */
  openedAt: number;
  recorders: Map<string, ArchiveRecorder>;
  /** Why this process records nothing although it should (the store cannot open, the configuration is wrong). */
  failure: string | null;
  /** The failure is a wrong setting: opening again cannot help. */
  permanentFailure: boolean;
  /** Whether startArchiveRecorders ran (the server's boot; a test calling routes in-process records nothing). */
  started: boolean;
};

const globalCache = globalThis as unknown as { etcdlensArchive?: ArchiveService | null };

/** A store that could not open (PostgreSQL not up yet, a data directory not mounted yet) is tried again after this long. */
const REOPEN_MS = 2_000;

function service(): ArchiveService | null {
  if (globalCache.etcdlensArchive !== undefined) return globalCache.etcdlensArchive;
  const settings = getArchiveSettings();
  if (!settings.enabled) return (globalCache.etcdlensArchive = null);
  const archive: ArchiveService = {
    settings,
    // Replaced at once by openStore below.
    store: new Promise<ArchiveStore>(() => undefined),
    openedAt: 0,
    recorders: new Map(),
    failure: null,
    permanentFailure: false,
    started: false,
  };
  openStore(archive);
  return (globalCache.etcdlensArchive = archive);
}

function openStore(archive: ArchiveService): void {
  archive.openedAt = Date.now();
  archive.store = openArchiveStore({ archiveUrl: archive.settings.archiveUrl, dataDir: resolve(archive.settings.dataDir) });
  // A store that cannot open is reported by each read that needs it; it must not crash the server.
  archive.store.then(
    () => (archive.failure = null),
    (error: unknown) => {
      archive.failure = describeArchiveError(error);
      archive.permanentFailure = error instanceof ConfigurationError;
    },
  );
}

/** The store's promise, opened again when it failed a while ago and may open now (never for a wrong setting). */
function currentStore(archive: ArchiveService): Promise<ArchiveStore> {
  if (archive.failure !== null && !archive.permanentFailure && Date.now() - archive.openedAt >= REOPEN_MS) openStore(archive);
  return archive.store;
}

/**
 * An archive error as the API and the log may say it: the message, with no server path (a data
 * directory that cannot be created names itself in Node's message) and never the URL.
 */
export function describeArchiveError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(^|[\s"(])'?(?:\/[^\s'",:)]+)+'?/g, "$1(a server path)");
}

/**
 * Where the archive lives, as a log line may name it: SQLite's folder, or PostgreSQL by its
 * setting (the URL may hold a password). Checked without importing an engine: a dashboard on
 * PostgreSQL never loads SQLite's native module.
 */
function describeLocation(settings: ArchiveSettings): string {
  const dataDir = resolve(settings.dataDir);
  try {
    if (archiveEngineOf({ archiveUrl: settings.archiveUrl, dataDir }) === "postgres") return "PostgreSQL (ETCDLENS_ARCHIVE_URL)";
  } catch {
    return "ETCDLENS_ARCHIVE_URL";
  }
  return `SQLite in ${dataDir}`;
}

/** The archive store, or null when the archive is off (ETCDLENS_ARCHIVE=off). */
export async function getArchiveStore(): Promise<ArchiveStore | null> {
  const archive = service();
  return archive ? currentStore(archive) : null;
}

/** What the archive holds of a cluster, or null when the archive is off. */
export async function archiveCoverage(cluster: string): Promise<ArchiveCoverage | null> {
  const store = await getArchiveStore();
  return store ? store.coverage(cluster) : null;
}

/**
 * Starts a recorder for every configured cluster once the store is open (idempotent); nothing when
 * the archive is off or recording is (ETCDLENS_ARCHIVE_RECORD=off: a replica that only reads).
 */
export function startArchiveRecorders(log: (message: string) => void = (message) => console.error(message)): void {
  let archive: ArchiveService | null;
  try {
    archive = service();
  } catch (error) {
    // A wrong ETCDLENS_ARCHIVE* setting: every archive read answers it too; the server runs on.
    log(`etcdlens archive: not recording: ${describeArchiveError(error)}`);
    return;
  }
  if (!archive || !archive.settings.record) return;
  archive.started = true;
  const where = describeLocation(archive.settings);
  let lastFailure = "";
  const attempt = () => {
    // Stopped meanwhile (stopArchiveRecorders): no more tries.
    if (archive.started) void currentStore(archive).then((store) => startRecorders(archive, store, where, log), retry);
  };
  const retry = (error: unknown) => {
    // The message, never the URL (it may hold a password); views say the archive is unavailable.
    const message = describeArchiveError(error);
    const again = !(error instanceof ConfigurationError);
    if (message !== lastFailure)
      log(`etcdlens archive: ${where} cannot be opened, so nothing is recorded${again ? " yet" : ""}: ${message}`);
    lastFailure = message;
    if (again) setTimeout(attempt, REOPEN_MS).unref();
  };
  attempt();
}

function startRecorders(archive: ArchiveService, store: ArchiveStore, where: string, log: (message: string) => void): void {
  let clusters;
  try {
    clusters = getServerSettings().clusters;
  } catch (error) {
    archive.failure = describeArchiveError(error);
    log(`etcdlens archive: not recording: ${archive.failure}`);
    return;
  }
  log(`etcdlens archive: archiving ${clusters.map((cluster) => cluster.name).join(", ")} into ${where}`);
  for (const cluster of clusters) {
    if (archive.recorders.has(cluster.name) || cluster.record === false) continue;
    let said = "";
    const recorder = new ArchiveRecorder({
      cluster: cluster.name,
      connection: getCluster(cluster.name),
      store,
      lockTtlMs: archive.settings.lockTtlMs,
      keys: cluster.archive,
      retention: archive.settings.retention,
      // One line per change of state (standing by, recording, failing), not per revision.
      onState: (state) => {
        if (state.state !== said) log(`etcdlens archive: cluster "${cluster.name}": ${state.state}`);
        said = state.state;
      },
      log: (message) => log(`etcdlens archive: ${message}`),
    });
    archive.recorders.set(cluster.name, recorder);
    recorder.start();
  }
}

/**
 * The state of this process's recorder of a cluster: "failing" when the archive cannot open or
 * the configuration is wrong; null when it runs none (the archive or recording is off).
 */
export function recorderState(cluster: string): RecorderState | null {
  let archive: ArchiveService | null;
  try {
    archive = service();
  } catch (error) {
    return { state: "failing", error: describeArchiveError(error) };
  }
  if (!archive || !archive.settings.record) return null;
  if (isRecordingOff(cluster)) return null;
  const recorder = archive.recorders.get(cluster);
  if (recorder) {
    const state = recorder.state;
    return state.state === "failing" ? { state: "failing", error: describeArchiveError(state.error) } : state;
  }
  if (archive.failure) return { state: "failing", error: archive.failure };
  return archive.started ? { state: "starting" } : null;
}

// A cluster configured with `record: false` (an opened snapshot) has no recorder, by design.
function isRecordingOff(cluster: string): boolean {
  try {
    return getServerSettings().clusters.find((entry) => entry.name === cluster)?.record === false;
  } catch {
    return false;
  }
}

/** This process's recorders by cluster name, as they run now (none before startArchiveRecorders): for the metrics. */
export function listArchiveRecorders(): [string, ArchiveRecorder][] {
  return [...(globalCache.etcdlensArchive?.recorders ?? [])];
}

/** Stops this process's recorders (tests, shutdown). */
export async function stopArchiveRecorders(): Promise<void> {
  const archive = globalCache.etcdlensArchive;
  if (!archive) return;
  archive.started = false;
  await Promise.all([...archive.recorders.values()].map((recorder) => recorder.stop()));
  archive.recorders.clear();
}

export type ClusterArchiveStatus = {
  /** Null when the archive is off or cannot be read. */
  coverage: { engine: string; coverage: ArchiveCoverage } | null;
  recorder: RecorderState | null;
};

/**
 * What the archive holds of a cluster (the default one when unnamed) and what this process's
 * recorder of it does, for the cluster overview.
 */
export async function readClusterArchiveStatus(name: string | undefined): Promise<ClusterArchiveStatus> {
  const cluster = name ?? getServerSettings().cluster.name;
  const recorder = recorderState(cluster);
  try {
    const store = await getArchiveStore();
    return { coverage: store ? { engine: store.engine, coverage: await store.coverage(cluster) } : null, recorder };
  } catch (error) {
    // The store did not open or did not answer: the overview says so instead of failing whole.
    return { coverage: null, recorder: recorder ?? { state: "failing", error: describeArchiveError(error) } };
  }
}
