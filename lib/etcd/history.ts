import "server-only";
import { isCompactedError } from "./errors";
import type { ClusterConnection } from "./client";
import { range, type KeyValue } from "./kv";
import { CompactedReplayError, replayEvents, type ReplayedEvent } from "./watch-replay";

// The revisions of one key, newest first. Within one lifecycle (create → updates) each version is
// found by reading the key at its mod revision − 1, one cheap point read per entry. Before a
// create (or when the key is deleted now) a point read finds nothing, so earlier lifecycles and
// their DELETE tombstones come from a watch replay bounded above by the revision already reached.

export type HistoryEntry = {
  revision: number;
  type: "PUT" | "DELETE";
  version: number;
  createRevision: number;
  size: number;
  lease: string;
};

export type HistoryPage = {
  revision: number;
  items: HistoryEntry[];
  /** Pass as `before` for the next page; null when nothing older is left. */
  next: number | null;
  /** Set when older history is known to be gone. */
  compactRevision?: number;
};

function entryFromKeyValue(kv: KeyValue): HistoryEntry {
  return {
    revision: kv.modRevision,
    type: "PUT",
    version: kv.version,
    createRevision: kv.createRevision,
    size: kv.value.length,
    lease: kv.lease,
  };
}

function entryFromEvent(event: ReplayedEvent): HistoryEntry {
  if (event.type === "PUT") return entryFromKeyValue(event.kv);
  return {
    revision: event.revision,
    type: "DELETE",
    version: 0,
    createRevision: event.prevKv?.createRevision ?? 0,
    size: 0,
    lease: "0",
  };
}

async function readAt(connection: ClusterConnection, key: Uint8Array, revision: number | undefined) {
  return range(connection, { key, revision });
}

async function replayBefore(connection: ClusterConnection, key: Uint8Array, untilRevision: number) {
  try {
    return { events: await replayEvents(connection, { key, startRevision: 1, untilRevision, prevKv: true }) };
  } catch (error) {
    if (!(error instanceof CompactedReplayError)) throw error;
    const events = await replayEvents(connection, {
      key,
      startRevision: error.compactRevision,
      untilRevision,
      prevKv: true,
    });
    return { events, compactRevision: error.compactRevision };
  }
}

export async function getHistory(
  connection: ClusterConnection,
  key: Uint8Array,
  options: { before?: number; limit: number },
): Promise<HistoryPage> {
  const items: HistoryEntry[] = [];
  const first = await readAt(connection, key, options.before ? options.before - 1 : undefined);
  const revision = first.header.revision;
  let point = options.before ? options.before - 1 : revision;
  let current: KeyValue | undefined = first.kvs[0];

  while (items.length < options.limit) {
    if (current) {
      items.push(entryFromKeyValue(current));
      if (current.version <= 1) {
        point = current.createRevision - 1;
        current = undefined;
        if (point < 1) return { revision, items, next: null };
        continue;
      }
      try {
        current = (await readAt(connection, key, current.modRevision - 1)).kvs[0];
        point = items[items.length - 1].revision - 1;
      } catch (error) {
        if (!isCompactedError(error)) throw error;
        return { revision, items, next: null, compactRevision: current.modRevision };
      }
      continue;
    }
    // Nothing at `point`: everything older is in earlier lifecycles, read from the event log.
    const { events, compactRevision } = await replayBefore(connection, key, point + 1);
    const older = events.filter((event) => event.revision <= point).reverse();
    const room = options.limit - items.length;
    items.push(...older.slice(0, room).map(entryFromEvent));
    const more = older.length > room;
    return { revision, items, next: more ? items[items.length - 1].revision : null, compactRevision };
  }
  return { revision, items, next: items[items.length - 1].revision };
}
