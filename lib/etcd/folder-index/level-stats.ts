import "server-only";
import type { ClusterConnection } from "../client";
import { isCompactedError } from "../errors";
import { getFolderIndex, type SizingStatus } from "./folder-index";
import { writeRatesOf, type FolderNode } from "./folder-tree";
import type { LargeValue } from "./largest-values";
import { listLevelFromIndex } from "./list-level";
import { NO_WRITES, type WriteRates } from "./write-rate";

// Space and churn of one level's children, from the folder index: keys, bytes of the current
// values (keys not counted) and writes per minute of each folder, and of each direct key its
// value's size. Listed in key order as the tree lists the level (its direct keys read from etcd
// with narrow keys-only ranges), or ranked by a figure (folders only, all from memory). A child
// that is both a key and a folder counts its own key in keys and bytes; writes are counted per
// folder, so a direct key has no rate of its own (null).

export type StatsSort = "bytes" | "keys" | "writes";

/** What the viewer may see of a child: everything, part of it (figures withheld), or nothing (not listed). */
export type ChildVisibility = (child: { key: Uint8Array; isFolder: boolean }) => "all" | "some" | "none";

export type ChildStats = {
  name: Uint8Array;
  key: Uint8Array;
  isKey: boolean;
  isFolder: boolean;
  /** Null for a child the viewer sees in part. */
  keys: number | null;
  bytes: number | null;
  /** Null for a direct key (rates are per folder) and a child seen in part. */
  writes: WriteRates | null;
  partial?: true;
};

export type FolderFigures = { keys: number; bytes: number; writes: WriteRates };

export type LevelStats =
  | { kind: "indexing"; keysScanned: number; startedAt: number }
  | {
      kind: "stats";
      revision: number;
      items: ChildStats[];
      nextCursor: Uint8Array | null;
      /** The level itself (null when the viewer sees it in part, or it holds nothing). */
      level: FolderFigures | null;
      /** The whole keyspace (null unless the viewer sees all of it). */
      keyspace: FolderFigures | null;
      /** With a sort: the largest values under the prefix the viewer may see, as far as they are known exactly. */
      largestKeys: LargeValue[] | null;
      sizing: SizingStatus;
    };

export type LevelStatsRequest = {
  prefix: Uint8Array;
  cursor?: Uint8Array;
  limit: number;
  sort?: StatsSort;
  visibility: ChildVisibility;
  /** Whether the viewer sees the whole level and the whole keyspace. */
  seesLevel: boolean;
  seesKeyspace: boolean;
  mayKey: (key: Uint8Array) => boolean;
};

const BUILD_WAIT_MS = 1_500;
const CATCH_UP_MS = 2_000;
/** Candidates of largest keys looked at before the viewer's access filters them. */
const LARGEST_CANDIDATES = 200;

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const bytesOf = (text: string) => Buffer.from(text, "latin1");

function figuresOf(node: FolderNode, now: number): FolderFigures {
  return { keys: node.keyCount, bytes: node.bytes, writes: writeRatesOf(node, now) };
}

export async function readLevelStats(connection: ClusterConnection, request: LevelStatsRequest): Promise<LevelStats> {
  const index = getFolderIndex(connection);
  const ready = await index.acquire({ buildWaitMs: BUILD_WAIT_MS, catchUpMs: CATCH_UP_MS });
  if (!ready) {
    const status = index.status();
    return status.state === "building"
      ? { kind: "indexing", keysScanned: status.keysScanned, startedAt: status.startedAt }
      : { kind: "indexing", keysScanned: 0, startedAt: Date.now() };
  }
  const prefix = latin1(request.prefix);
  let items: ChildStats[];
  let nextCursor: Uint8Array | null = null;
  let revision = ready.revision;
  if (request.sort) {
    items = rankFolders(ready.tree.folder(prefix), prefix, request.sort, request.limit, request.visibility);
  } else {
    let page;
    try {
      page = await listLevelFromIndex(connection, ready, { prefix: request.prefix, cursor: request.cursor, limit: request.limit });
    } catch (error) {
      // The index lags behind a compaction: its watch will notice and rebuild.
      if (isCompactedError(error)) void index.rebuild().catch(() => undefined);
      throw error;
    }
    revision = page.revision;
    nextCursor = page.nextCursor;
    const now = Date.now();
    items = [];
    for (const child of page.items) {
      const seen = request.visibility({ key: child.key, isFolder: child.hasChildren });
      if (seen === "none") continue;
      const key = latin1(child.key);
      if (seen === "some") {
        items.push({
          name: child.name,
          key: child.key,
          isKey: child.isKey,
          isFolder: child.hasChildren,
          keys: null,
          bytes: null,
          writes: null,
          partial: true,
        });
        continue;
      }
      const folder = child.hasChildren ? ready.tree.folder(key + "/") : undefined;
      const ownBytes = child.isKey ? index.sizeOfKey(key) : 0;
      items.push({
        name: child.name,
        key: child.key,
        isKey: child.isKey,
        isFolder: child.hasChildren,
        keys: (folder?.keyCount ?? 0) + (child.isKey ? 1 : 0),
        bytes: (folder?.bytes ?? 0) + ownBytes,
        writes: folder ? writeRatesOf(folder, now) : null,
      });
    }
  }
  const now = Date.now();
  const levelNode = ready.tree.folder(prefix);
  const largestKeys = request.sort
    ? index
        .largestValues(prefix, LARGEST_CANDIDATES)
        .filter((entry) => request.mayKey(bytesOf(entry.key)))
        .slice(0, request.limit)
    : null;
  return {
    kind: "stats",
    revision,
    items,
    nextCursor,
    level: request.seesLevel && levelNode ? figuresOf(levelNode, now) : null,
    keyspace: request.seesKeyspace ? figuresOf(ready.tree.root, now) : null,
    largestKeys,
    sizing: index.sizingStatus(),
  };
}

/** The level's sub-folders the viewer sees whole, largest first by one figure (ties in key order). */
function rankFolders(
  node: FolderNode | undefined,
  prefix: string,
  sort: StatsSort,
  limit: number,
  visibility: ChildVisibility,
): ChildStats[] {
  if (!node) return [];
  const now = Date.now();
  const ranked: { position: string; figures: FolderFigures }[] = [];
  for (const position of node.positions) {
    const child = node.children.get(position)!;
    const figures = { keys: child.keyCount, bytes: child.bytes, writes: child.writes ? child.writes.rates(now) : NO_WRITES };
    ranked.push({ position, figures });
  }
  const figure = (entry: (typeof ranked)[number]) =>
    sort === "bytes" ? entry.figures.bytes : sort === "keys" ? entry.figures.keys : entry.figures.writes.perMinute;
  ranked.sort((a, b) => figure(b) - figure(a) || (a.position < b.position ? -1 : 1));
  const items: ChildStats[] = [];
  for (const { position, figures } of ranked) {
    if (items.length >= limit) break;
    const name = position.slice(0, -1);
    const key = bytesOf(prefix + name);
    if (visibility({ key, isFolder: true }) !== "all") continue;
    items.push({
      name: bytesOf(name),
      key,
      isKey: false,
      isFolder: true,
      keys: figures.keys,
      bytes: figures.bytes,
      writes: figures.writes,
    });
  }
  return items;
}
