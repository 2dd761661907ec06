import "server-only";
import { resolve } from "node:path";
import { getCluster } from "@/lib/etcd/client";
import { getArchiveSettings, getServerSettings, type ArchiveSettings } from "@/lib/env";
import { openArchiveStore } from "./open-store";
import { ArchiveRecorder, type RecorderState } from "./recorder";
import type { ArchiveCoverage, ArchiveStore } from "./store";

// The dashboard's one archive: the store every view reads past etcd's compaction from, and the
// recorders this process runs (one per configured cluster; the store's lock lets one replica
// record each cluster while the others stand by and read). Held on globalThis so that Next's
// route bundles and instrumentation share one store and one recorder per cluster.

type ArchiveService = {
  settings: ArchiveSettings;
  store: Promise<ArchiveStore>;
  recorders: Map<string, ArchiveRecorder>;
};

const globalCache = globalThis as unknown as { etcdlensArchive?: ArchiveService | null };

function service(): ArchiveService | null {
  if (globalCache.etcdlensArchive !== undefined) return globalCache.etcdlensArchive;
  const settings = getArchiveSettings();
  if (!settings.enabled) return (globalCache.etcdlensArchive = null);
  const store = openArchiveStore({ archiveUrl: settings.archiveUrl, dataDir: resolve(settings.dataDir) });
  // A store that cannot open is reported by each read that needs it; it must not crash the server.
  store.catch(() => undefined);
  return (globalCache.etcdlensArchive = { settings, store, recorders: new Map() });
}

/** The archive store, or null when the archive is off (ETCDLENS_ARCHIVE=off). */
export async function getArchiveStore(): Promise<ArchiveStore | null> {
  const archive = service();
  return archive ? archive.store : null;
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
  const archive = service();
  if (!archive || !archive.settings.record) return;
  void archive.store.then(
    (store) => {
      for (const cluster of getServerSettings().clusters) {
        if (archive.recorders.has(cluster.name)) continue;
        const recorder = new ArchiveRecorder({
          cluster: cluster.name,
          connection: getCluster(cluster.name),
          store,
          lockTtlMs: archive.settings.lockTtlMs,
          log: (message) => log(`etcdlens archive: ${message}`),
        });
        archive.recorders.set(cluster.name, recorder);
        recorder.start();
      }
    },
    // The message, never the URL (it may hold a password); views say the archive is unavailable.
    (error: unknown) =>
      log(
        `etcdlens archive: the archive cannot be opened, so nothing is recorded: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}

/** The state of this process's recorder of a cluster; null when it runs none. */
export function recorderState(cluster: string): RecorderState | null {
  return service()?.recorders.get(cluster)?.state ?? null;
}

/** Stops this process's recorders (tests, shutdown). */
export async function stopArchiveRecorders(): Promise<void> {
  const archive = globalCache.etcdlensArchive;
  if (!archive) return;
  await Promise.all([...archive.recorders.values()].map((recorder) => recorder.stop()));
  archive.recorders.clear();
}
