import "server-only";
import { AppError } from "@/lib/errors";
import { includesBytes, startsWithBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { getClusterHeader } from "./cluster";
import { isCompactedError } from "./errors";
import { rangeMany } from "./kv";
import { getCompactRevision, replayRevisions, WHOLE_KEYSPACE, type ReplayedEvent, type ReplayResult } from "./watch";

// The change feed: every change under a prefix in a revision range, newest first, read from
// etcd's event history. A watch replay on a prefix has no end marker in etcd 3.4 (a progress
// request is answered at once, not when the replay is done), but every revision has at least one
// event somewhere in the keyspace. So each page replays a bounded window of revisions over the
// whole keyspace, ends exactly at the window's last revision, and keeps what is under the prefix.
//
// An update comes with the version it replaced, so that it can say what it changed. The replay
// asks for no prev_kv: on a whole-keyspace watch etcd would read and send the previous value of
// every event in the keyspace, not only of the prefix's. The version before an update is most often
// another event the page has already read; only an update whose previous version is older than the
// revisions scanned costs a point read of the key at revision − 1, batched, one per such row.
// A create whose key the page saw deleted before is a re-creation, as history calls it; a create
// with no earlier event in the page is just "created" (telling more would take a replay).

/** The value a key held before an update, and the revision of that version. */
export type PreviousVersion = { value: Buffer; modRevision: number };

/** A key's last event so far: the version a PUT wrote, or the version a DELETE removed (when seen). */
export type LastEvent = { type: "PUT"; version: PreviousVersion } | { type: "DELETE"; removed: PreviousVersion | null };

export type ChangeItem = {
  revision: number;
  type: "PUT" | "DELETE";
  key: Buffer;
  version: number;
  /** The lifecycle's create revision for a PUT; 0 for a DELETE (a tombstone carries none). */
  createRevision: number;
  /** A PUT's value; null for a DELETE. */
  value: Buffer | null;
  /**
   * For an update (a PUT of version > 1): the version it replaced; null when etcd no longer holds
   * it (revision − 1 is compacted). Absent on creates and deletes.
   */
  previous?: PreviousVersion | null;
  /** For a create the page saw follow a delete of the key: the version that delete removed, when seen. */
  recreated?: { removed: PreviousVersion | null };
};

export type ChangesRequest = {
  prefix: Uint8Array;
  from?: number;
  to?: number;
  /** Continue below this revision (inclusive upper bound of the next page). */
  cursor?: number;
  limit: number;
  type?: "PUT" | "DELETE";
  /** Keep only keys whose bytes contain these bytes. */
  contains?: Uint8Array;
  /**
   * Keep only items this says yes to (the manager filter), asked once an update's replaced
   * version is known: those the window does not show are read at revision − 1 first.
   */
  keep?: (item: ChangeItem) => boolean;
  /** Keep only keys this says yes to (the keys access rules let the viewer list), asked before anything else is read of them. */
  visible?: (key: Uint8Array) => boolean;
};

export type ChangesPage = {
  revision: number;
  items: ChangeItem[];
  nextCursor: number | null;
  compactRevision: number;
  /** The revisions this page looked at, inclusive. */
  scanned: { from: number; to: number } | null;
};

/** Revisions replayed per etcd request, and per API request at most. */
const WINDOW = 1_000;
const MAX_SCANNED_PER_PAGE = 5_000;
/** A window reading more than this is halved (a revision can hold a transaction of many changes). */
const MAX_EVENTS_PER_WINDOW = 100_000;
const MAX_BYTES_PER_WINDOW = 64 * 1024 * 1024;

function matches(event: ReplayedEvent, request: ChangesRequest): boolean {
  return (
    startsWithBytes(event.kv.key, request.prefix) &&
    (!request.type || event.type === request.type) &&
    (!request.contains || includesBytes(event.kv.key, request.contains)) &&
    (!request.visible || request.visible(event.kv.key))
  );
}

export function isUpdate(item: ChangeItem): boolean {
  return item.type === "PUT" && item.version > 1;
}

/** Fills in what the key's event before `item` says of it; false when that event does not fit. */
export function applyEventBefore(item: ChangeItem, before: LastEvent): boolean {
  if (isUpdate(item) && before.type === "PUT") item.previous = before.version;
  else if (item.type === "PUT" && item.version === 1 && before.type === "DELETE") item.recreated = { removed: before.removed };
  else return false;
  return true;
}

const idOf = (key: Buffer) => key.toString("latin1");

async function replayWindow(connection: ClusterConnection, from: number, through: number, request: ChangesRequest): Promise<ReplayResult> {
  return replayRevisions(connection, {
    range: WHOLE_KEYSPACE,
    keep: (key) => startsWithBytes(key, request.prefix),
    fromRevision: from,
    // Every revision has an event somewhere in the keyspace, so the one at `through` ends the replay.
    through,
    maxEvents: MAX_EVENTS_PER_WINDOW,
    maxBytes: MAX_BYTES_PER_WINDOW,
    timeoutMs: 30_000,
  });
}

export async function listChanges(connection: ClusterConnection, request: ChangesRequest): Promise<ChangesPage> {
  const [header, knownCompaction] = await Promise.all([getClusterHeader(connection), getCompactRevision(connection)]);
  let compactRevision = knownCompaction;
  let lowest = Math.max(request.from ?? 1, compactRevision, 1);
  let high = Math.min(request.cursor ?? request.to ?? header.revision, request.to ?? header.revision, header.revision);
  const firstHigh = high;
  const groups: ChangeItem[][] = [];
  /** Per key, the page's oldest PUT whose key's event before it is not yet known. */
  const unresolved = new Map<string, ChangeItem>();
  let count = 0;
  let scanned = 0;

  let window = WINDOW;
  while (high >= lowest && count < request.limit && scanned < MAX_SCANNED_PER_PAGE) {
    const low = Math.max(lowest, high - window + 1);
    const result = await replayWindow(connection, low, high, request);
    if (result.kind === "compacted") {
      compactRevision = result.compactRevision;
      if (lowest >= compactRevision) {
        throw new AppError("compacted", `history before revision ${compactRevision} was compacted`, { compactRevision });
      }
      lowest = compactRevision;
      continue;
    }
    if (result.kind === "too_large") {
      if (high === low)
        throw new AppError("bad_request", `revision ${high} holds more changes than the server reads at once (${result.reason})`);
      window = Math.max(1, Math.floor((high - low + 1) / 2));
      continue;
    }
    const events = result.events;
    scanned += high - low + 1;
    const found: ChangeItem[] = [];
    // Events arrive oldest first: `latest` holds each key's last event so far in this window.
    const latest = new Map<string, LastEvent>();
    const waiting: ChangeItem[] = [];
    for (const event of events) {
      const id = idOf(event.kv.key);
      const before = latest.get(id);
      latest.set(
        id,
        event.type === "PUT"
          ? { type: "PUT", version: { value: event.kv.value, modRevision: event.revision } }
          : { type: "DELETE", removed: before?.type === "PUT" ? before.version : null },
      );
      if (!matches(event, request)) continue;
      const item: ChangeItem = {
        revision: event.revision,
        type: event.type,
        key: event.kv.key,
        version: event.kv.version,
        createRevision: event.type === "PUT" ? event.kv.createRevision : 0,
        value: event.type === "PUT" ? event.kv.value : null,
      };
      if (item.type === "PUT" && !(before && applyEventBefore(item, before))) waiting.push(item);
      found.push(item);
    }
    const kept = await keepRequested(connection, found, request, compactRevision);
    const byRevision = new Map<number, ChangeItem[]>();
    for (const item of kept) {
      const group = byRevision.get(item.revision) ?? [];
      group.push(item);
      byRevision.set(item.revision, group);
    }
    // A PUT of a newer window whose key last changed in this one: that last event came right before it.
    for (const [id, item] of unresolved) {
      const last = latest.get(id);
      if (!last) continue;
      applyEventBefore(item, last);
      unresolved.delete(id);
    }
    const isKept = new Set(kept);
    for (const item of waiting) if (isKept.has(item) && !unresolved.has(idOf(item.key))) unresolved.set(idOf(item.key), item);
    const newestFirst = [...byRevision.entries()].sort((a, b) => b[0] - a[0]);
    for (const [revision, group] of newestFirst) {
      if (count >= request.limit) {
        // Stop at a revision boundary: the next page starts with this revision.
        high = revision;
        return await finish();
      }
      groups.push(group);
      count += group.length;
    }
    high = low - 1;
  }
  return await finish();

  async function finish(): Promise<ChangesPage> {
    const items = groups.flat();
    await readPreviousVersions(connection, items, compactRevision);
    const lastScanned = high;
    return {
      revision: header.revision,
      items,
      nextCursor: lastScanned >= lowest ? lastScanned : null,
      compactRevision,
      scanned: firstHigh >= lastScanned + 1 ? { from: lastScanned + 1, to: firstHigh } : null,
    };
  }
}

/** The items `request.keep` accepts, their replaced versions read first; all of them without a filter. */
async function keepRequested(
  connection: ClusterConnection,
  items: ChangeItem[],
  request: ChangesRequest,
  compactRevision: number,
): Promise<ChangeItem[]> {
  const keep = request.keep;
  if (!keep) return items;
  await readPreviousVersions(connection, items, compactRevision);
  return items.filter((item) => keep(item));
}

/** Reads, for updates whose previous version the replay did not show, the key at revision − 1. */
async function readPreviousVersions(connection: ClusterConnection, items: ChangeItem[], compactRevision: number): Promise<void> {
  const missing = items.filter((item) => isUpdate(item) && item.previous === undefined);
  const readable = missing.filter((item) => item.revision - 1 >= compactRevision);
  for (const item of missing) if (item.revision - 1 < compactRevision) item.previous = null;
  if (readable.length === 0) return;
  try {
    const results = await rangeMany(
      connection,
      readable.map((item) => ({ key: item.key, revision: item.revision - 1 })),
    );
    readable.forEach((item, index) => {
      const kv = results[index].kvs[0];
      item.previous = kv ? { value: kv.value, modRevision: kv.modRevision } : null;
    });
  } catch (error) {
    // A compaction between the replay and the reads: those versions are gone, which is no failure.
    if (!isCompactedError(error)) throw error;
    for (const item of readable) item.previous = null;
  }
}
