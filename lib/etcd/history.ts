import "server-only";
import { AppError } from "@/lib/errors";
import { isCompactedError } from "./errors";
import type { ClusterConnection } from "./client";
import { range, type KeyValue } from "./kv";
import { getCompactRevision, replayRevisions, type ReplayedEvent } from "./watch";

// The revisions of one key, newest first. Within one lifecycle (create → updates) each version is
// found by reading the key at its mod revision − 1, one cheap point read per entry. Before a
// create (or when the key is deleted now) a point read finds nothing, so earlier lifecycles and
// their DELETE tombstones come from a watch replay bounded above by the revision already reached.
//
// Each entry comes with its value bytes (a tombstone with the last value before the delete), and
// the page with the version just older than its last entry when a point read finds it cheaply, so
// that every entry can say what it changed. The work stays bounded by the page: one point read
// per entry plus one, and a replay only when the page reaches back past a create.

export type HistoryEntry = {
  revision: number;
  type: "PUT" | "DELETE";
  version: number;
  createRevision: number;
  size: number;
  lease: string;
  /**
   * The revision to open this version at: its own, or the compaction revision when its own is
   * compacted but the key still held this version there; null when etcd keeps it at no revision.
   */
  openRevision: number | null;
};

export type HistoryVersion = {
  entry: HistoryEntry;
  /** A PUT's value; for a DELETE the value it removed (when etcd still had it), else null. */
  value: Buffer | null;
};

export type HistoryPage = {
  revision: number;
  items: HistoryVersion[];
  /** The version right before the last item, when known without extra cost. */
  older?: HistoryVersion;
  /**
   * Whether the versions older than the last item are known: true when `older` is that version
   * or nothing older exists; false when a replay would be needed to tell (a page ending at a create).
   */
  olderKnown: boolean;
  /** Pass as `before` for the next page; null when nothing older is left. */
  next: number | null;
  /**
   * The cluster's compaction revision, set only when the key's history reaches back past it (the
   * oldest entry's lifecycle began before it), so that versions of the key are known to be gone.
   */
  compactRevision?: number;
};

function versionFromKeyValue(kv: KeyValue): HistoryVersion {
  return {
    entry: {
      revision: kv.modRevision,
      type: "PUT",
      version: kv.version,
      createRevision: kv.createRevision,
      size: kv.value.length,
      lease: kv.lease,
      openRevision: kv.modRevision,
    },
    value: kv.value,
  };
}

function versionFromEvent(event: ReplayedEvent): HistoryVersion {
  if (event.type === "PUT") return versionFromKeyValue(event.kv);
  return {
    entry: {
      revision: event.revision,
      type: "DELETE",
      version: 0,
      createRevision: event.prevKv?.createRevision ?? 0,
      size: 0,
      lease: "0",
      openRevision: event.revision,
    },
    value: event.prevKv?.value ?? null,
  };
}

async function readAt(connection: ClusterConnection, key: Uint8Array, revision: number | undefined) {
  return range(connection, { key, revision });
}

// Without a later event of the key to end on, a replay ends once etcd has been quiet this long.
const REPLAY_QUIET_MS = 400;
// Earlier lifecycles of one key are read at once; a key rewritten more often than this is refused
// rather than held in memory.
const MAX_REPLAYED_EVENTS = 100_000;
const MAX_REPLAYED_BYTES = 64 * 1024 * 1024;

/** The key's events before `untilRevision`, from revision 1 or, when that is compacted, from the compaction. */
async function replayBefore(connection: ClusterConnection, key: Uint8Array, untilRevision: number) {
  const replayFrom = async (fromRevision: number) =>
    replayRevisions(connection, {
      range: { key: Buffer.from(key), rangeEnd: undefined },
      fromRevision,
      through: untilRevision - 1,
      // The caller saw the key change at untilRevision when it was created then; otherwise quiet ends it.
      stopAt: untilRevision,
      quietMs: REPLAY_QUIET_MS,
      prevKv: true,
      maxEvents: MAX_REPLAYED_EVENTS,
      maxBytes: MAX_REPLAYED_BYTES,
      timeoutMs: 15_000,
    });
  const eventsOf = (result: Awaited<ReturnType<typeof replayFrom>>): ReplayedEvent[] => {
    if (result.kind === "events") return result.events;
    if (result.kind === "too_large") {
      throw new AppError(
        "bad_request",
        `this key changed too often before revision ${untilRevision} to read its earlier history (${result.reason})`,
      );
    }
    throw new AppError("compacted", `history before revision ${result.compactRevision} was compacted`, {
      compactRevision: result.compactRevision,
    });
  };
  const first = await replayFrom(1);
  if (first.kind !== "compacted") return { events: eventsOf(first) };
  const compactRevision = first.compactRevision;
  const events = compactRevision < untilRevision ? eventsOf(await replayFrom(compactRevision)) : [];
  return { events, compactRevision };
}

type Walk = { versions: HistoryVersion[]; exhausted: boolean; compactRevision?: number };

/**
 * Up to `want` versions older than `point` (inclusive), `current` being the key's value at point.
 * Stops early at a create when the caller only wants one more version (a look-ahead), because
 * finding what came before a create costs a replay.
 */
async function walkBack(
  connection: ClusterConnection,
  key: Uint8Array,
  start: { point: number; current: KeyValue | undefined },
  want: number,
  stopAtCreateAfter: number,
): Promise<Walk & { stoppedAtCreate: boolean }> {
  const versions: HistoryVersion[] = [];
  let { point, current } = start;
  while (versions.length < want) {
    if (current) {
      versions.push(versionFromKeyValue(current));
      if (current.version <= 1) {
        point = current.createRevision - 1;
        current = undefined;
        if (point < 1) return { versions, exhausted: true, stoppedAtCreate: false };
        if (versions.length >= stopAtCreateAfter) return { versions, exhausted: false, stoppedAtCreate: true };
        continue;
      }
      try {
        point = current.modRevision - 1;
        current = (await readAt(connection, key, point)).kvs[0];
      } catch (error) {
        if (!isCompactedError(error)) throw error;
        // Fresh: a cached value may predate the compaction just met.
        const compactRevision = await getCompactRevision(connection, { fresh: true });
        return { versions, exhausted: true, stoppedAtCreate: false, compactRevision: compactRevision || current.modRevision };
      }
      continue;
    }
    // Nothing at `point`: everything older is in earlier lifecycles, read from the event log.
    const { events, compactRevision } = await replayBefore(connection, key, point + 1);
    const older = events.filter((event) => event.revision <= point).reverse();
    const room = want - versions.length;
    versions.push(...older.slice(0, room).map(versionFromEvent));
    return { versions, exhausted: older.length <= room, stoppedAtCreate: false, compactRevision };
  }
  return { versions, exhausted: false, stoppedAtCreate: false };
}

export async function getHistory(
  connection: ClusterConnection,
  key: Uint8Array,
  options: { before?: number; limit: number },
): Promise<HistoryPage> {
  const first = await readAt(connection, key, options.before ? options.before - 1 : undefined);
  const revision = first.header.revision;
  const point = options.before ? options.before - 1 : revision;
  // One version more than the page, to say what the page's last entry changed.
  const walk = await walkBack(connection, key, { point, current: first.kvs[0] }, options.limit + 1, options.limit);
  const items = walk.versions.slice(0, options.limit);
  const older = walk.versions[options.limit];
  const last = items[items.length - 1];
  const more = older !== undefined || walk.stoppedAtCreate;
  const compactRevision = walk.compactRevision ?? (last ? await findCompactionBelow(connection, key, last.entry.revision) : undefined);
  if (compactRevision) placeOpenRevisions(items, point, compactRevision);
  return {
    revision,
    items,
    older,
    olderKnown: older !== undefined || walk.exhausted,
    next: more && last ? last.entry.revision : null,
    compactRevision: compactRevision && last && reachesBack(last.entry, compactRevision) ? compactRevision : undefined,
  };
}

/**
 * The compaction revision when `revision` is below it, else undefined. Only the oldest entry of a
 * page can be: every newer one was followed by a successful read just below its own revision.
 * One point read at that revision tells, since etcd refuses a read below its compaction.
 */
async function findCompactionBelow(connection: ClusterConnection, key: Uint8Array, revision: number): Promise<number | undefined> {
  try {
    await readAt(connection, key, revision);
    return undefined;
  } catch (error) {
    if (!isCompactedError(error)) throw error;
    return (await getCompactRevision(connection, { fresh: true })) || undefined;
  }
}

/**
 * A version is the key's value from its mod revision until the next newer entry (the newest: until
 * the revision the page was read at). Whose mod revision is compacted is still readable at the
 * compaction revision when it lasted that long, and at no revision otherwise.
 */
function placeOpenRevisions(items: HistoryVersion[], readRevision: number, compactRevision: number): void {
  items.forEach(({ entry }, index) => {
    if (entry.revision >= compactRevision) return;
    const lastedUntil = index === 0 ? readRevision : items[index - 1].entry.revision - 1;
    entry.openRevision = entry.type === "PUT" && lastedUntil >= compactRevision ? compactRevision : null;
  });
}

/** Whether versions of the key older than the compaction existed: its oldest lifecycle began before it (0: unknown). */
function reachesBack(oldest: HistoryEntry, compactRevision: number): boolean {
  return oldest.createRevision < compactRevision;
}
