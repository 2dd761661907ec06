import "server-only";
import { AppError } from "@/lib/errors";
import { callEtcd } from "@/lib/etcd/call";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getHistory, type HistoryPage, type HistoryVersion } from "@/lib/etcd/history";
import { judgeHeldState, oldestArchivedRevision } from "./held-state";
import { compactedEverywhere, notArchivedRefusal, type ArchiveView } from "./reach-back";
import { whyNotArchived } from "./scope";
import type { ArchiveGap, ArchivedVersion } from "./store";

// One history per key, newest first, from etcd and the archive together: etcd's page as far as
// etcd still has the key's history, continued with the archive's versions below it, without
// duplicates (an entry both hold is etcd's). Paging works on one axis, the revision: `next` is the
// oldest entry's revision whichever store gave it, so the next page starts in etcd while etcd has
// revisions below it and in the archive from there on. Archived entries open at their own revision
// (the value route reads them back from the archive). Where the archive missed revisions (a gap)
// the page says so: the key may have changed there.

export type MergedHistoryPage = HistoryPage & {
  source: "etcd" | "archive" | "etcd+archive";
  /** The archive's gaps within this page's span. */
  gaps: ArchiveGap[];
  /** Set when the archive is on but leaves this key out: why (the history is etcd's alone). */
  notArchived?: string;
};

function isCompacted(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "compacted";
}

function versionOf(archived: ArchivedVersion): HistoryVersion {
  return {
    entry: {
      revision: archived.revision,
      type: archived.type,
      version: archived.version,
      createRevision: archived.createRevision,
      size: archived.type === "PUT" ? archived.value.length : 0,
      lease: archived.lease,
      openRevision: archived.revision,
    },
    value: archived.type === "PUT" ? archived.value : null,
  };
}

/**
 * A DELETE in the archive carries neither the value it removed nor its lifecycle; both are the
 * version right before it, when that version is in the list.
 */
function completeDeletes(versions: HistoryVersion[]): void {
  versions.forEach((version, index) => {
    const before = versions[index + 1];
    if (version.entry.type !== "DELETE" || before?.entry.type !== "PUT") return;
    if (version.value === null) version.value = before.value;
    if (version.entry.createRevision === 0) version.entry.createRevision = before.entry.createRevision;
  });
}

/** Gaps overlapping revisions after `low` up to `high`. */
function gapsWithin(gaps: readonly ArchiveGap[], low: number, high: number): ArchiveGap[] {
  return gaps.filter((gap) => gap.to > low && gap.from <= high);
}

/**
 * A page of the key's history: etcd's, completed from the archive where etcd's is cut short by its
 * compaction (or ends, since an earlier lifecycle of the key may be archived only).
 */
export async function getMergedHistory(
  connection: ClusterConnection,
  cluster: string,
  key: Uint8Array,
  options: { before?: number; limit: number },
  archive: ArchiveView | null,
): Promise<MergedHistoryPage> {
  const { before, limit } = options;
  const readEtcd = () => callEtcd(connection, () => getHistory(connection, key, options), { revision: before });
  const etcdOnly = (etcdPage: HistoryPage): MergedHistoryPage => ({ ...etcdPage, source: "etcd", gaps: [] });
  if (!archive) return etcdOnly(await readEtcd());
  const notArchived = whyNotArchived(cluster, Buffer.from(key));
  if (notArchived) {
    // etcd's history is all there is of a key the archive leaves out; its compaction is the floor.
    try {
      return { ...etcdOnly(await readEtcd()), notArchived };
    } catch (error) {
      if (before !== undefined && isCompacted(error)) throw notArchivedRefusal(error, before, key, notArchived);
      throw error;
    }
  }
  let page: HistoryPage | null = null;
  let refusal: AppError | null = null;
  try {
    page = await readEtcd();
  } catch (error) {
    // `before` is below etcd's compaction: this page is the archive's alone.
    if (before === undefined || !isCompacted(error)) throw error;
    refusal = error;
  }
  // etcd's page is whole: it knows the version before its last entry and lost nothing older.
  if (page && page.older !== undefined && page.compactRevision === undefined) return etcdOnly(page);

  const fromEtcd = page?.items ?? [];
  const bound = fromEtcd.length > 0 ? fromEtcd[fromEtcd.length - 1].entry.revision : before;
  const wanted = limit - fromEtcd.length;
  // Two more than the page needs: the version before its last entry (what that entry changed) and
  // one to tell whether anything older is left.
  let archived: HistoryVersion[];
  try {
    archived = (await archive.store.historyOf(cluster, Buffer.from(key), { before: bound, limit: wanted + 2 })).map(versionOf);
  } catch (error) {
    // An archive that cannot be read now (PostgreSQL down) leaves etcd's own answer.
    if (page) return etcdOnly(page);
    throw refusal ?? error;
  }
  const oldest = oldestArchivedRevision(archive.coverage);
  // Below what the archive recorded too: the same 410 as etcd's, naming the oldest revision either has.
  if (refusal && archived.length === 0 && (oldest === null || before! - 1 < oldest)) throw compactedEverywhere(refusal, before!, archive);
  for (const version of fromEtcd) await openFromArchive(version, cluster, key, archive);
  const all = [...fromEtcd, ...archived];
  completeDeletes(all);
  const items = all.slice(0, limit);
  const last = items.at(-1);
  // With nothing archived below it, etcd's page says what is older, as it did without an archive.
  const etcdAlone = archived.length === 0 ? page : null;
  const older = all[limit] ?? etcdAlone?.older;
  const more = all.length > limit || (etcdAlone?.next ?? null) !== null;
  const next = more && last ? last.entry.revision : null;
  const fromArchive = items.length - Math.min(fromEtcd.length, items.length);
  const source = fromArchive === 0 ? (page ? "etcd" : "archive") : fromArchive === items.length ? "archive" : "etcd+archive";
  const top = before ?? page?.revision ?? archive.coverage.lastRevision;
  const { gaps } = archive.coverage;

  // Nothing older is missing when the archive recorded the cluster from its first write (revision
  // 2; revision 1 is etcd's empty start) with no gap below the oldest entry.
  const fromStart = oldest !== null && oldest <= 2 && gapsWithin(gaps, 0, last?.entry.revision ?? top).length === 0;
  const olderKnown = older !== undefined || (etcdAlone ? etcdAlone.olderKnown : next === null && fromStart);
  // "History before N is gone", N the oldest revision etcd or the archive has, when the key's
  // oldest lifecycle began before it and etcd's own history was cut (or the archive's continued it).
  const cut = !page || page.compactRevision !== undefined || archived.length > 0;
  const etcdCompaction = page?.compactRevision;
  const floor = oldest !== null && (etcdCompaction === undefined || oldest < etcdCompaction) ? oldest : etcdCompaction;
  const reachesBack = next === null && cut && !fromStart && floor !== undefined && last !== undefined && last.entry.createRevision < floor;
  return {
    revision: page?.revision ?? archive.coverage.lastRevision,
    items,
    older,
    olderKnown,
    next,
    compactRevision: reachesBack ? floor : undefined,
    source,
    gaps: gapsWithin(gaps, next ?? 0, top),
  };
}

/**
 * An entry etcd still lists but no longer holds at its own revision (it lasted past the compaction)
 * opens at that revision from the archive when the archive holds it there.
 */
async function openFromArchive(version: HistoryVersion, cluster: string, key: Uint8Array, archive: ArchiveView): Promise<void> {
  const { entry } = version;
  if (entry.openRevision === entry.revision) return;
  const archived = await archive.store.versionAt(cluster, Buffer.from(key), entry.revision).catch(() => null);
  const state = judgeHeldState(archive.coverage, archived, entry.revision);
  if (state.held && state.version?.revision === entry.revision) entry.openRevision = entry.revision;
}
