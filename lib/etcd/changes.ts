import "server-only";
import { AppError } from "@/lib/errors";
import { includesBytes, startsWithBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { getClusterHeader } from "./cluster";
import { getCompactRevision, replayRevisions, WHOLE_KEYSPACE, type ReplayedEvent, type ReplayResult } from "./watch";

// The change feed: every change under a prefix in a revision range, newest first, read from
// etcd's event history. A watch replay on a prefix has no end marker in etcd 3.4 (a progress
// request is answered at once, not when the replay is done), but every revision has at least one
// event somewhere in the keyspace. So each page replays a bounded window of revisions over the
// whole keyspace, ends exactly at the window's last revision, and keeps what is under the prefix.

export type ChangeItem = {
  revision: number;
  type: "PUT" | "DELETE";
  key: Buffer;
  version: number;
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
    (!request.contains || includesBytes(event.kv.key, request.contains))
  );
}

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
      if (high === low) throw new AppError("bad_request", `revision ${high} holds more changes than the server reads at once (${result.reason})`);
      window = Math.max(1, Math.floor((high - low + 1) / 2));
      continue;
    }
    const events = result.events;
    scanned += high - low + 1;
    const byRevision = new Map<number, ChangeItem[]>();
    for (const event of events) {
      if (!matches(event, request)) continue;
      const item: ChangeItem = { revision: event.revision, type: event.type, key: event.kv.key, version: event.kv.version };
      const group = byRevision.get(event.revision) ?? [];
      group.push(item);
      byRevision.set(event.revision, group);
    }
    const newestFirst = [...byRevision.entries()].sort((a, b) => b[0] - a[0]);
    for (const [revision, group] of newestFirst) {
      if (count >= request.limit) {
        // Stop at a revision boundary: the next page starts with this revision.
        high = revision;
        return finish();
      }
      groups.push(group);
      count += group.length;
    }
    high = low - 1;
  }
  return finish();

  function finish(): ChangesPage {
    const items = groups.flat();
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
