import "server-only";
import { applyEventBefore, isUpdate, type ChangeItem, type LastEvent } from "@/lib/etcd/changes";
import { includesBytes, startsWithBytes } from "@/lib/keys";
import type { ArchiveStore } from "./store";

// The change feed's part that etcd has compacted, read from the archive: the same items as
// lib/etcd/changes.ts builds from a watch replay, newest first, in bounded windows of revisions
// (every revision has at least one event over the whole keyspace, so a window of N revisions
// reads at least N events). An update's replaced version is the key's event before it in the
// window, else the archive's version of the key at revision − 1.

const WINDOW = 1_000;
const MAX_SCANNED_PER_PAGE = 5_000;
/** A window holding more events than this is halved (a transaction can change many keys). */
const MAX_EVENTS_PER_WINDOW = 50_000;

export type ArchivedChangesRequest = {
  prefix: Uint8Array;
  type?: "PUT" | "DELETE";
  contains?: Uint8Array;
  keep?: (item: ChangeItem) => boolean;
  /** The newest revision to read (inclusive). */
  high: number;
  /** The oldest revision to read (inclusive). */
  lowest: number;
  limit: number;
};

export type ArchivedChangesPage = {
  items: ChangeItem[];
  /** Continue below this revision (inclusive); null when `lowest` was reached. */
  nextCursor: number | null;
  scanned: { from: number; to: number } | null;
};

const idOf = (key: Buffer) => key.toString("latin1");

export async function listArchivedChanges(
  store: ArchiveStore,
  cluster: string,
  request: ArchivedChangesRequest,
): Promise<ArchivedChangesPage> {
  const groups: ChangeItem[][] = [];
  let count = 0;
  let scanned = 0;
  let high = request.high;
  let window = WINDOW;
  const firstHigh = high;
  while (high >= request.lowest && count < request.limit && scanned < MAX_SCANNED_PER_PAGE) {
    const low = Math.max(request.lowest, high - window + 1);
    const revisions = await store.readRevisions(cluster, { from: low, to: high, limit: MAX_EVENTS_PER_WINDOW });
    const events = revisions.reduce((sum, revision) => sum + revision.events.length, 0);
    if (events >= MAX_EVENTS_PER_WINDOW && high > low) {
      window = Math.max(1, Math.floor((high - low + 1) / 2));
      continue;
    }
    scanned += high - low + 1;
    const found: ChangeItem[] = [];
    const latest = new Map<string, LastEvent>();
    for (const revision of revisions) {
      for (const event of revision.events) {
        const id = idOf(event.key);
        const before = latest.get(id);
        latest.set(
          id,
          event.type === "PUT"
            ? { type: "PUT", version: { value: event.value, modRevision: event.revision } }
            : { type: "DELETE", removed: before?.type === "PUT" ? before.version : null },
        );
        if (!startsWithBytes(event.key, request.prefix)) continue;
        if (request.type && event.type !== request.type) continue;
        if (request.contains && !includesBytes(event.key, request.contains)) continue;
        const item: ChangeItem = {
          revision: event.revision,
          type: event.type,
          key: event.key,
          version: event.version,
          createRevision: event.type === "PUT" ? event.createRevision : 0,
          value: event.type === "PUT" ? event.value : null,
        };
        if (before) applyEventBefore(item, before);
        found.push(item);
      }
    }
    await readPreviousVersions(store, cluster, found);
    const kept = request.keep ? found.filter((item) => request.keep!(item)) : found;
    const byRevision = new Map<number, ChangeItem[]>();
    for (const item of kept) {
      const group = byRevision.get(item.revision) ?? [];
      group.push(item);
      byRevision.set(item.revision, group);
    }
    for (const [revision, group] of [...byRevision.entries()].sort((a, b) => b[0] - a[0])) {
      if (count >= request.limit) {
        // Stop at a revision boundary: the next page starts with this revision.
        return finish(revision);
      }
      groups.push(group);
      count += group.length;
    }
    high = low - 1;
  }
  return finish(high);

  function finish(lastScanned: number): ArchivedChangesPage {
    return {
      items: groups.flat(),
      nextCursor: lastScanned >= request.lowest ? lastScanned : null,
      scanned: firstHigh >= lastScanned + 1 ? { from: lastScanned + 1, to: firstHigh } : null,
    };
  }
}

/** For updates whose replaced version the window did not show: the archive's version of the key at revision − 1. */
async function readPreviousVersions(store: ArchiveStore, cluster: string, items: ChangeItem[]): Promise<void> {
  const wanted = items.filter((item) => isUpdate(item) && item.previous === undefined);
  const versions = await readVersionsBefore(store, cluster, wanted);
  wanted.forEach((item, index) => {
    const version = versions[index];
    item.previous = version && version.type === "PUT" ? { value: version.value, modRevision: version.revision } : null;
  });
}

/**
 * For updates of etcd's part of a feed whose replaced version etcd compacted (previous null): the
 * version the archive holds at revision − 1, so that they say what they changed as history does.
 */
export async function fillReplacedFromArchive(store: ArchiveStore, cluster: string, items: ChangeItem[]): Promise<void> {
  const wanted = items.filter((item) => isUpdate(item) && item.previous === null);
  const versions = await readVersionsBefore(store, cluster, wanted);
  wanted.forEach((item, index) => {
    const before = versions[index];
    if (before?.type === "PUT") item.previous = { value: before.value, modRevision: before.revision };
  });
}

/** Each item's key at the revision before it, in one read of the store. */
function readVersionsBefore(store: ArchiveStore, cluster: string, items: readonly ChangeItem[]) {
  if (items.length === 0) return Promise.resolve([]);
  return store.versionsAt(
    cluster,
    items.map((item) => ({ key: item.key, revision: item.revision - 1 })),
  );
}
