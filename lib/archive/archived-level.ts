import "server-only";
import { AppError } from "@/lib/errors";
import type { KeyValue } from "@/lib/etcd/kv";
import type { LevelEntry, LevelValuesPage } from "@/lib/etcd/level-values";
import type { ChildrenPage, ListChildrenRequest } from "@/lib/etcd/tree-level";
import { levelReadableAt } from "./level-scan";
import { keyValueOf, recordingSinceText } from "./reach-back";
import { getArchiveStore } from "./service";
import type { ArchiveCoverage, ArchiveStore } from "./store";

// The tree at a revision etcd has compacted, from the archive: the same page shape as a listing
// from etcd (lib/etcd/list-children.ts), without key counts (the archive keeps no folder counts
// per revision). A revision the archive cannot list whole is refused like a compaction, naming the
// oldest revision either can list.

export type ArchivedPage = { page: ChildrenPage; archive: { engine: string; coverage: ArchiveCoverage } };

/** etcd's compaction refusal of a read at `revision`, when the archive may answer it instead. */
export function isCompactedRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "compacted";
}

/** Opens the archive's view of a cluster at `revision`, or rethrows etcd's refusal when the archive cannot list it. */
async function openArchivedRevision(cluster: string, revision: number, refusal: AppError) {
  const store = await getArchiveStore();
  if (!store) throw refusal;
  const coverage = await store.coverage(cluster);
  const { readable, oldest } = levelReadableAt(coverage, revision);
  if (!readable) {
    const etcdOldest = refusal.details.compactRevision;
    // The older of the two: the archive's first listable revision may be newer than etcd's.
    const available = oldest !== null && (etcdOldest === undefined || oldest < etcdOldest) ? oldest : etcdOldest;
    const gap = coverage.gaps.find((at) => at.from <= revision && revision <= at.to);
    const why = gap
      ? `; the archive did not record revisions ${gap.from} to ${gap.to}`
      : oldest !== null && revision < oldest
        ? `; the archive holds every key from revision ${oldest} on${recordingSinceText(coverage)}: before that, the tree is unknown`
        : "";
    const suffix = available !== undefined ? `; the oldest revision still available is ${available}` : "";
    throw new AppError("compacted", `revision ${revision} has been compacted${why}${suffix}`, { compactRevision: available });
  }
  return { store, coverage };
}

/** One level at `request.revision` from the archive; `refusal` is etcd's compaction error, thrown when the archive cannot answer. */
export async function listChildrenFromArchive(
  cluster: string,
  request: ListChildrenRequest & { revision: number },
  refusal: AppError,
): Promise<ArchivedPage> {
  const { store, coverage } = await openArchivedRevision(cluster, request.revision, refusal);
  const level = await store.listLevelAt(cluster, {
    prefix: Buffer.from(request.prefix),
    revision: request.revision,
    cursor: request.cursor ? Buffer.from(request.cursor) : undefined,
    limit: request.limit,
  });
  return {
    page: { revision: request.revision, items: level.items, nextCursor: level.nextCursor },
    archive: { engine: store.engine, coverage },
  };
}

/** Whether `key` existed at `revision`, from the archive (as listChildrenFromArchive, for a level's own name). */
export async function keyExistsInArchive(cluster: string, key: Uint8Array, revision: number, refusal: AppError): Promise<boolean> {
  const { store } = await openArchivedRevision(cluster, revision, refusal);
  return (await store.versionAt(cluster, Buffer.from(key), revision))?.type === "PUT";
}

/**
 * One page of a level with its keys' values at `request.revision`, from the archive (as
 * lib/etcd/level-values.ts reads it from etcd, for the kubectl-style table): the level as
 * listChildrenFromArchive lists it, then the keys' versions at the revision in one read of the store.
 */
export async function readLevelValuesFromArchive(
  cluster: string,
  request: ListChildrenRequest & { revision: number },
  refusal: AppError,
  onValues?: (kvs: KeyValue[]) => void,
): Promise<LevelValuesPage> {
  const { store } = await openArchivedRevision(cluster, request.revision, refusal);
  return readArchivedLevelValues(store, cluster, request, onValues);
}

/** As readLevelValuesFromArchive, on a store whose coverage the caller has checked (npm run bench:archive-tree calls it directly). */
export async function readArchivedLevelValues(
  store: ArchiveStore,
  cluster: string,
  request: ListChildrenRequest & { revision: number },
  onValues?: (kvs: KeyValue[]) => void,
): Promise<LevelValuesPage> {
  const level = await store.listLevelAt(cluster, {
    prefix: Buffer.from(request.prefix),
    revision: request.revision,
    cursor: request.cursor ? Buffer.from(request.cursor) : undefined,
    limit: request.limit,
  });
  const { items } = level;
  const entries: LevelEntry[] = [];
  const kvs: KeyValue[] = [];
  // One read of the store for the page's keys, not one per row.
  const keys = items.filter((child) => child.isKey);
  const versions = await store.versionsAt(
    cluster,
    keys.map((child) => ({ key: Buffer.from(child.key), revision: request.revision })),
  );
  const versionOf = new Map(keys.map((child, index) => [child, versions[index]]));
  for (const child of items) {
    const version = versionOf.get(child);
    if (version?.type !== "PUT") {
      entries.push({ child });
      continue;
    }
    const kv = keyValueOf(version);
    kvs.push(kv);
    entries.push({ child, kv });
  }
  if (kvs.length > 0) onValues?.(kvs);
  return { revision: request.revision, nextCursor: level.nextCursor, entries, reads: items.length };
}
