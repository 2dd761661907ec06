import "server-only";
import { AppError } from "@/lib/errors";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster, type ClusterConnection } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { range, type KeyValue } from "@/lib/etcd/kv";
import { keyToDisplay } from "@/lib/keys";
import { assertArchiveOfSameEtcdCluster } from "./cluster-identity";
import { judgeHeldState, oldestArchivedRevision } from "./held-state";
import { whyNotArchived } from "./scope";
import { describeArchiveError, getArchiveStore } from "./service";
import { ArchiveClusterMismatchError, type ArchiveCoverage, type ArchivedVersion, type ArchiveStore } from "./store";

// Reads of one key at a revision that reach past etcd's compaction into the archive: etcd first
// (it answers every revision it still has), the archive when etcd has compacted the revision. A
// revision neither holds is the same 410 as before, naming the oldest revision either still has.

/** The archive as one request sees it: the store and what it held when the request began. */
export type ArchiveView = { engine: string; store: ArchiveStore; coverage: ArchiveCoverage };

/** The archive for one request, and when it is on but cannot be read now, why, in words for the page. */
export type ArchiveViewAttempt = { view: ArchiveView | null; unavailable?: string };

/**
 * The archive of a cluster for this request. When it is off, or cannot be read now (PostgreSQL
 * down, an archive of another etcd cluster), views read etcd alone, as before there was an
 * archive, and say so with `unavailable`: a history that stops at etcd's compaction must not
 * look complete. The cause's details (addresses, paths) stay in the server's log.
 */
export async function tryArchiveView(cluster: string): Promise<ArchiveViewAttempt> {
  let store: ArchiveStore | null;
  try {
    store = await getArchiveStore();
  } catch (error) {
    logUnreadable(cluster, error);
    return { view: null, unavailable: UNREADABLE };
  }
  if (!store) return { view: null };
  try {
    // An archive recorded from another etcd cluster than the name reaches now is not this cluster's history.
    await assertArchiveOfSameEtcdCluster(store, cluster, getCluster(cluster));
    return { view: { engine: store.engine, store, coverage: await store.coverage(cluster) } };
  } catch (error) {
    if (error instanceof ArchiveClusterMismatchError) return { view: null, unavailable: error.message };
    logUnreadable(cluster, error);
    return { view: null, unavailable: UNREADABLE };
  }
}

/** The page says "the server's log says why": at most once a minute per cluster, not once per view. */
const LOG_EVERY_MS = 60_000;
const loggedAt = new Map<string, number>();

function logUnreadable(cluster: string, error: unknown): void {
  const now = Date.now();
  if (now - (loggedAt.get(cluster) ?? -Infinity) < LOG_EVERY_MS) return;
  loggedAt.set(cluster, now);
  console.error(
    `etcdlens archive: cluster "${cluster}": views read etcd alone, the archive cannot be read: ${describeArchiveError(error)}`,
  );
}

const UNREADABLE = "the archive cannot be read now (the server's log says why): this shows only what etcd still holds";

/** The archive of a cluster for this request, or null when it is off or cannot be read now (see tryArchiveView). */
export async function openArchiveView(cluster: string): Promise<ArchiveView | null> {
  return (await tryArchiveView(cluster)).view;
}

/** A 410 from etcd while the archive could not be read: it says the archive may hold the revision. */
export function withArchiveUnavailable(error: unknown, unavailable: string | undefined): unknown {
  if (!unavailable || !(error instanceof AppError) || error.code !== "compacted") return error;
  return new AppError("compacted", `${error.message}; ${unavailable}`, { ...error.details, archiveUnavailable: unavailable });
}

/** An archived PUT as etcd would have returned it. */
export function keyValueOf(version: ArchivedVersion): KeyValue {
  return {
    key: version.key,
    value: version.value,
    createRevision: version.createRevision,
    modRevision: version.revision,
    version: version.version,
    lease: version.lease,
  };
}

export type KeyAt = {
  /** The etcd revision the read answered at (its current revision when the archive answered). */
  revision: number;
  /** The key at the revision; undefined when it did not exist then. */
  kv: KeyValue | undefined;
  source: "etcd" | "archive";
  /** Set when the archive is on but leaves this key out: why. */
  notArchived?: string;
};

function isCompacted(error: unknown): error is AppError {
  return error instanceof AppError && error.code === "compacted";
}

/** " (recording since <RFC 3339>)" when the archive knows when it began recording the cluster. */
export function recordingSinceText(coverage: ArchiveCoverage): string {
  return coverage.recordingSince === null ? "" : ` (recording since ${new Date(coverage.recordingSince).toISOString()})`;
}

/**
 * The compacted error again, naming the oldest revision etcd or the archive still has, and why the
 * archive cannot answer: a gap, or a revision before the archive began, where the key's state is
 * unknown (not "did not exist": that is a 404, for revisions the archive covers).
 */
export function compactedEverywhere(error: AppError, revision: number, archive: ArchiveView, gap?: { from: number; to: number }): AppError {
  const etcdOldest = error.details.compactRevision;
  const archived = oldestArchivedRevision(archive.coverage);
  const oldest = archived !== null && (etcdOldest === undefined || archived < etcdOldest) ? archived : etcdOldest;
  const since = recordingSinceText(archive.coverage);
  let where = "";
  if (gap) where = ` and was not recorded (the archive misses revisions ${gap.from} to ${gap.to})`;
  else if (archived === null) where = "; the archive has not recorded this cluster yet";
  else if (revision < archived) where = `; the archive began at revision ${archived}${since}: before that, the key's state is unknown`;
  // From the archive's first revision, before its first copy of every key: a key not changed since is unknown then.
  else
    where = `; the archive has recorded since revision ${archived}${since}, without a change of this key up to revision ${revision}: its state then is unknown`;
  const hint = oldest ? `; the oldest revision still available is ${oldest}` : "";
  return new AppError("compacted", `revision ${revision} has been compacted${where}${hint}`, { ...error.details, compactRevision: oldest });
}

/** etcd's compaction refusal, saying that the archive holds nothing of this key (the configuration leaves it out). */
export function notArchivedRefusal(error: AppError, revision: number, key: Uint8Array, reason: string): AppError {
  return new AppError("compacted", `revision ${revision} has been compacted; ${keyToDisplay(key)} is not archived: ${reason}`, {
    ...error.details,
    notArchived: reason,
  });
}

/**
 * The key at `revision` (now when omitted) from etcd, or from the archive when etcd compacted it.
 * Throws compacted when neither holds it, saying so when the archive leaves the key out.
 */
export async function readKeyReachingBack(
  connection: ClusterConnection,
  cluster: string,
  key: Uint8Array,
  revision: number | undefined,
  archive: ArchiveView | null,
): Promise<KeyAt> {
  // The archive holds nothing of a key its configuration leaves out: not "did not exist".
  const notArchived = archive ? whyNotArchived(cluster, Buffer.from(key)) : null;
  try {
    const result = await callEtcd(connection, () => range(connection, { key, revision }), { revision });
    return { revision: result.header.revision, kv: result.kvs[0], source: "etcd", ...(notArchived ? { notArchived } : {}) };
  } catch (error) {
    if (!isCompacted(error) || revision === undefined || !archive) throw error;
    if (notArchived) throw notArchivedRefusal(error, revision, key, notArchived);
    // An archive that cannot be read now (PostgreSQL down) leaves etcd's own answer.
    const version = await archive.store.versionAt(cluster, Buffer.from(key), revision).catch(() => {
      throw error;
    });
    const state = judgeHeldState(archive.coverage, version, revision);
    if (!state.held) throw compactedEverywhere(error, revision, archive, state.gap);
    const current = await getClusterHeader(connection).then(
      (header) => header.revision,
      () => archive.coverage.lastRevision,
    );
    const kv = state.version?.type === "PUT" ? keyValueOf(state.version) : undefined;
    return { revision: current, kv, source: "archive" };
  }
}

/** As readKeyReachingBack, with the key required: not_found when it did not exist at the revision. */
export async function readKeyReachingBackOrThrow(
  connection: ClusterConnection,
  cluster: string,
  key: Uint8Array,
  revision: number | undefined,
  archive: ArchiveView | null,
): Promise<KeyAt & { kv: KeyValue }> {
  const read = await readKeyReachingBack(connection, cluster, key, revision, archive);
  if (!read.kv) {
    const at = revision ? `at revision ${revision}` : `at the current revision ${read.revision}`;
    throw new AppError("not_found", `no key ${keyToDisplay(key)} ${at}`, { currentRevision: read.revision });
  }
  return { ...read, kv: read.kv };
}

/** Where a read of several parts came from. */
export function combinedSource(sources: readonly ("etcd" | "archive")[]): "etcd" | "archive" | "etcd+archive" {
  const archived = sources.filter((source) => source === "archive").length;
  if (archived === 0) return "etcd";
  return archived === sources.length ? "archive" : "etcd+archive";
}
