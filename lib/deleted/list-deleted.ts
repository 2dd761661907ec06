import "server-only";
import { listArchivedChanges } from "@/lib/archive/archived-changes";
import type { ArchiveCoverage, ArchiveStore } from "@/lib/archive/store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { listChanges, type ChangeItem } from "@/lib/etcd/changes";
import { isCompactedError } from "@/lib/etcd/errors";
import { rangeMany } from "@/lib/etcd/kv";

// Keys deleted under a prefix in a revision range, newest first: the change feed's DELETEs (etcd's
// event history, then the archive where etcd compacted it), each with the version the deletion
// removed, read at deletedAt − 1 (etcd's range at that revision while etcd holds it, else the
// archive's versionAt), and whether the key exists again now. A page reads at most `limit`
// deletions, so the point reads are bounded too: one batched range (a txn) per page for the last
// values, one keys-only for the current state. etcd's events do not say why a key was deleted: a
// lease's expiry and a client's delete are the same DELETE, so the leased version is only marked.

export type DeletedItem = {
  key: Buffer;
  deletedAt: number;
  /** The version the deletion removed; null when neither etcd nor the archive holds revision deletedAt − 1. */
  last: { value: Buffer; modRevision: number; createRevision: number; version: number; lease: string | null } | null;
  /** Where the last value was read. */
  lastFrom: "etcd" | "archive" | null;
  /** Whether the key exists at the cluster's current revision (it was re-created). */
  existsNow: boolean;
};

export type DeletedPage = {
  revision: number;
  compactRevision: number;
  items: DeletedItem[];
  nextCursor: number | null;
  source: "etcd" | "archive" | "etcd+archive";
};

export type DeletedRequest = {
  prefix: Uint8Array;
  from?: number;
  to?: number;
  cursor?: number;
  limit: number;
  /** The keys the viewer may list (access rules); undefined: all. */
  visible?: (key: Uint8Array) => boolean;
};

export type OpenArchive = { store: ArchiveStore; coverage: ArchiveCoverage } | null;

export async function listDeletedKeys(
  connection: ClusterConnection,
  cluster: string,
  archive: OpenArchive,
  request: DeletedRequest,
): Promise<DeletedPage> {
  const { prefix, from, to, cursor, limit, visible } = request;
  const page = await listChanges(connection, { prefix, from, to, cursor, limit, type: "DELETE", visible });
  let source: DeletedPage["source"] = "etcd";
  const lowest = Math.max(from ?? 1, archive?.coverage.firstRevision ?? Infinity);
  const below = Math.min(cursor ?? Infinity, to ?? Infinity, page.compactRevision - 1);
  if (archive && page.nextCursor === null && page.items.length >= limit && below >= lowest) {
    page.nextCursor = below;
  } else if (archive && page.nextCursor === null && below >= lowest) {
    // etcd compacted what comes before: the archive goes on from there.
    const archived = await listArchivedChanges(archive.store, cluster, {
      prefix,
      type: "DELETE",
      keep: visible && ((item: ChangeItem) => visible(item.key)),
      high: below,
      lowest,
      limit: limit - page.items.length,
    });
    source = page.scanned ? "etcd+archive" : "archive";
    page.items.push(...archived.items);
    page.nextCursor = archived.nextCursor;
  }
  const items = await readLastVersions(connection, cluster, archive?.store ?? null, page.items, page.compactRevision);
  await markExistingNow(connection, items, page.revision);
  return { revision: page.revision, compactRevision: page.compactRevision, items, nextCursor: page.nextCursor, source };
}

async function readLastVersions(
  connection: ClusterConnection,
  cluster: string,
  store: ArchiveStore | null,
  deletions: readonly ChangeItem[],
  compactRevision: number,
): Promise<DeletedItem[]> {
  const items: DeletedItem[] = deletions.map((item) => ({
    key: item.key,
    deletedAt: item.revision,
    last: null,
    lastFrom: null,
    existsNow: false,
  }));
  const fromEtcd = items.filter((item) => item.deletedAt - 1 >= compactRevision);
  if (fromEtcd.length) {
    try {
      const results = await rangeMany(
        connection,
        fromEtcd.map((item) => ({ key: item.key, revision: item.deletedAt - 1 })),
      );
      fromEtcd.forEach((item, index) => {
        const kv = results[index].kvs[0];
        if (!kv) return;
        const lease = kv.lease !== "0" ? kv.lease : null;
        item.last = { value: kv.value, modRevision: kv.modRevision, createRevision: kv.createRevision, version: kv.version, lease };
        item.lastFrom = "etcd";
      });
    } catch (error) {
      // A compaction between the replay and the reads: the archive may still hold those versions.
      if (!isCompactedError(error)) throw error;
    }
  }
  const fromArchive = items.filter((item) => item.last === null);
  if (store && fromArchive.length) {
    const versions = await store.versionsAt(
      cluster,
      fromArchive.map((item) => ({ key: item.key, revision: item.deletedAt - 1 })),
    );
    fromArchive.forEach((item, index) => {
      const version = versions[index];
      if (version?.type !== "PUT") return;
      item.last = {
        value: version.value,
        modRevision: version.revision,
        createRevision: version.createRevision,
        version: version.version,
        lease: version.lease !== "0" ? version.lease : null,
      };
      item.lastFrom = "archive";
    });
  }
  return items;
}

async function markExistingNow(connection: ClusterConnection, items: DeletedItem[], revision: number): Promise<void> {
  if (items.length === 0) return;
  const results = await rangeMany(
    connection,
    items.map((item) => ({ key: item.key, revision, keysOnly: true })),
  );
  items.forEach((item, index) => (item.existsNow = results[index].kvs.length > 0));
}
