import "server-only";
import { getCluster } from "@/lib/etcd/client";
import { keepFolderIndexes, type FolderIndexKeeper } from "@/lib/etcd/folder-index/folder-index";
import type { ChangeBatch } from "@/lib/etcd/watch";
import { getServerSettings } from "@/lib/env";
import { getArchiveStore } from "./service";
import type { ArchiveStore } from "./store";

// The archive keeps each cluster's folder index between dashboard restarts (one compressed
// snapshot per cluster, replaced at each save), and fills the revisions etcd compacted while the
// dashboard was down from what the recorder stored, so that a restart catches up instead of
// reading every key again.

/** Events read from the archive per step of a catch-up. */
const REPLAY_PAGE_EVENTS = 10_000;

export function archiveFolderIndexKeeper(store: ArchiveStore, cluster: string): FolderIndexKeeper {
  return {
    load: async () => (await store.loadFolderIndex(cluster))?.data ?? null,
    save: (revision, data) => store.saveFolderIndex(cluster, { revision, savedAt: Date.now(), data }),
    changesBetween: async (from, to, maxChanges) => {
      const coverage = await store.coverage(cluster);
      // Whole revisions only: a baseline alone does not say which keys were deleted.
      if (coverage.firstRevision === null || coverage.firstRevision > from || coverage.lastRevision < to) return null;
      if (coverage.gaps.some((gap) => gap.to >= from && gap.from <= to)) return null;
      const batches: ChangeBatch[] = [];
      let changes = 0;
      for (let next = from; next <= to;) {
        const revisions = await store.readRevisions(cluster, { from: next, to, limit: REPLAY_PAGE_EVENTS });
        if (revisions.length === 0) break;
        for (const revision of revisions) {
          batches.push({
            revision: revision.revision,
            changes: revision.events.map((event) => ({
              revision: event.revision,
              type: event.type,
              key: event.key,
              version: event.version,
              createRevision: event.createRevision,
              modRevision: event.revision,
              valueSize: event.value.length,
            })),
          });
          changes += revision.events.length;
        }
        if (changes > maxChanges) return null;
        next = revisions[revisions.length - 1].revision + 1;
      }
      return batches;
    },
  };
}

/** Makes every cluster's folder index kept in the archive (nothing when the archive is off); the server's boot calls it. */
export function keepFolderIndexesInArchive(): void {
  keepFolderIndexes((connection) => {
    const cluster = getServerSettings().clusters.find((candidate) => getCluster(candidate.name) === connection);
    if (!cluster) return null;
    let store: Promise<ArchiveStore | null>;
    try {
      store = getArchiveStore();
    } catch {
      // A wrong archive setting: the index is built as without an archive; the recorder reports it.
      return null;
    }
    const opened = store.then((archive) => (archive ? archiveFolderIndexKeeper(archive, cluster.name) : null));
    opened.catch(() => undefined);
    // The store opens asynchronously; until it has, and when the archive is off, nothing is kept.
    const withKeeper = async <T>(read: (keeper: FolderIndexKeeper) => Promise<T>, otherwise: T): Promise<T> => {
      const keeper = await opened;
      return keeper ? read(keeper) : otherwise;
    };
    return {
      load: () => withKeeper((keeper) => keeper.load(), null),
      save: (revision, data) => withKeeper((keeper) => keeper.save(revision, data), undefined),
      changesBetween: (from, to, maxChanges) => withKeeper((keeper) => keeper.changesBetween(from, to, maxChanges), null),
    };
  });
}
