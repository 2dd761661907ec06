import "server-only";
import { concatBytes, prefixRangeEnd } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { isCompactedError } from "./errors";
import { positionOf, rangeEndAfter, unitAtByte } from "./key-positions";
import { getFolderIndex } from "./folder-index/folder-index";
import { listLevelFromIndex } from "./folder-index/list-level";
import { range, rangeMany, type RangeRequest } from "./kv";
import type { ChildEntry, ChildrenPage, ListChildrenRequest } from "./tree-level";

// Lists one level of the key tree: the immediate children of a prefix, split on "/". The only
// module that knows how a level is read from etcd, so the strategy can change behind it.
//
// At the current revision a level comes from the folder index (lib/etcd/folder-index): folders
// and their key counts from memory, the level's own keys from narrow ranges. At a past revision
// the index does not apply and the level is read by scanning, below.
//
// A level is scanned by walking the range in key order and jumping past each child folder's subtree
// instead of reading it: after a folder "name/" the walk resumes at prefix + name + "0" ("0"
// follows "/"), after a leaf key at key + "\0". Folders such as "ns-1/" are followed in key order
// by "ns-1-canary/" and "ns-10/", which is why the jump is computed from the name, not guessed.

const SLASH = 0x2f;
const ZERO_CHAR = 0x30;
// The first read of a scanned level spans one unit in the 6th byte after the prefix, and grows
// sixteenfold while it finds nothing.
const FIRST_STEP_BYTES = 5;
const EMPTY_GROWTH = 16n;

type Candidate = { name: Uint8Array; key: Uint8Array; kind: "leaf" | "folder" };

function maxBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}

// How long a listing waits for a first index build before answering "indexing", and for the
// index's watch to reach the revision etcd is at.
const BUILD_WAIT_MS = 1_500;
const CATCH_UP_MS = 2_000;

export async function listChildren(connection: ClusterConnection, request: ListChildrenRequest): Promise<ChildrenPage> {
  const index = getFolderIndex(connection);
  const status = index.status();
  const atIndexRevision = status.state === "ready" && request.revision === status.revision;
  if (request.revision !== undefined && !atIndexRevision) return listChildrenByScan(connection, request);
  const ready = await index.acquire({ buildWaitMs: BUILD_WAIT_MS, catchUpMs: atIndexRevision ? 0 : CATCH_UP_MS });
  if (!ready) {
    const building = index.status();
    const progress = building.state === "building" ? building : { keysScanned: 0, startedAt: Date.now(), revision: 0 };
    return {
      revision: progress.revision,
      items: [],
      nextCursor: null,
      indexing: { keysScanned: progress.keysScanned, startedAt: progress.startedAt },
    };
  }
  if (request.revision !== undefined && ready.revision !== request.revision) return listChildrenByScan(connection, request);
  // A watch that lags (a burst of writes, a busy server) must not hide keys just written.
  if (request.revision === undefined && !ready.caughtUp) return listChildrenByScan(connection, request);
  try {
    return await listLevelFromIndex(connection, ready, request);
  } catch (error) {
    // The index lags behind a compaction: its watch will notice and rebuild; meanwhile scan.
    if (!isCompactedError(error)) throw error;
    void index.rebuild().catch(() => undefined);
    return listChildrenByScan(connection, { ...request, revision: undefined });
  }
}

/** Lists a level by walking etcd's key range; correct at any revision, slower on wide levels. */
export async function listChildrenByScan(connection: ClusterConnection, request: ListChildrenRequest): Promise<ChildrenPage> {
  const { prefix, limit } = request;
  // The root level is the whole keyspace: etcd rejects an empty key, so it starts at "\0" (the
  // smallest key there can be) and a range end of "\0" means "to the end".
  const first = prefix.length > 0 ? prefix : Uint8Array.of(0);
  const levelEnd = prefix.length > 0 ? prefixRangeEnd(prefix) : Uint8Array.of(0);
  // A window's end, when it comes before the level's ("\0" as the root's end means "to the end").
  const end =
    request.end && (prefix.length === 0 || Buffer.compare(Buffer.from(request.end), Buffer.from(levelEnd)) < 0) ? request.end : levelEnd;
  let start = request.cursor ? maxBytes(request.cursor, first) : first;
  let revision = request.revision;
  if (end !== levelEnd && Buffer.compare(Buffer.from(start), Buffer.from(end)) >= 0) {
    return {
      revision: revision ?? (await range(connection, { key: first, countOnly: true })).header.revision,
      items: [],
      nextCursor: null,
    };
  }
  const candidates: Candidate[] = [];
  let exhausted = false;
  // Each read ends near where the next child or two are expected (see key-positions.ts): a read
  // to the level's end would make etcd walk the rest of the level once per child.
  let step = unitAtByte(prefix.length + FIRST_STEP_BYTES);

  while (candidates.length < limit && !exhausted) {
    const readFrom = start;
    const readTo = rangeEndAfter(readFrom, step, end);
    const toLevelEnd = Buffer.from(readTo).equals(Buffer.from(end));
    const page = await range(connection, {
      key: readFrom,
      rangeEnd: readTo,
      limit: limit - candidates.length + 1,
      keysOnly: true,
      revision,
    });
    revision ??= page.header.revision;
    if (page.kvs.length === 0) {
      if (toLevelEnd) exhausted = true;
      start = readTo;
      step *= EMPTY_GROWTH;
      continue;
    }
    let openFolder: Uint8Array | undefined;
    let consumedAll = true;
    for (const kv of page.kvs) {
      if (openFolder && Buffer.from(kv.key).subarray(0, openFolder.length).equals(openFolder)) continue;
      if (candidates.length >= limit) {
        consumedAll = false;
        break;
      }
      const rest = kv.key.subarray(prefix.length);
      const slash = rest.indexOf(SLASH);
      if (slash < 0) {
        candidates.push({ name: rest, key: kv.key, kind: "leaf" });
        openFolder = undefined;
        start = concatBytes(kv.key, Uint8Array.of(0));
      } else {
        const name = rest.subarray(0, slash);
        const folderKey = concatBytes(prefix, name);
        candidates.push({ name, key: folderKey, kind: "folder" });
        openFolder = concatBytes(folderKey, Uint8Array.of(SLASH));
        start = concatBytes(folderKey, Uint8Array.of(ZERO_CHAR));
      }
    }
    if (consumedAll && !page.more) {
      // Nothing else lies before the end of this read.
      if (toLevelEnd) exhausted = true;
      else start = maxBytes(start, readTo);
    }
    // Next, a read about twice as wide as the distance this one advanced.
    const advanced = positionOf(start) - positionOf(readFrom);
    step = advanced > 0n ? advanced * 2n : step * 2n;
  }

  return {
    revision: revision ?? 0,
    items: await describeCandidates(connection, candidates, revision),
    nextCursor: exhausted ? null : start,
  };
}

// A name can be both a key and a folder ("/a" and "/a/b"). The key sorts before the folder's
// subtree, so it is listed where the key appears, flagged as having children, and the folder is
// dropped when it is reached later (on this page or a following one). Whether a key has children,
// and whether a folder is also a key, takes one small read each; they go to etcd as one request.
async function describeCandidates(
  connection: ClusterConnection,
  candidates: Candidate[],
  revision: number | undefined,
): Promise<ChildEntry[]> {
  const requests: RangeRequest[] = [];
  const readOf = candidates.map((candidate) => {
    if (candidate.kind === "leaf") {
      const below = concatBytes(candidate.key, Uint8Array.of(SLASH));
      return requests.push({ key: below, rangeEnd: prefixRangeEnd(below), countOnly: true, revision }) - 1;
    }
    // The root's "/" folder has the empty key, which etcd cannot store.
    if (candidate.key.length === 0) return -1;
    return requests.push({ key: candidate.key, countOnly: true, revision }) - 1;
  });
  const answers = requests.length > 0 ? await rangeMany(connection, requests) : [];
  const items: ChildEntry[] = [];
  candidates.forEach((candidate, at) => {
    const found = readOf[at] >= 0 && answers[readOf[at]].count > 0;
    if (candidate.kind === "leaf") items.push({ name: candidate.name, key: candidate.key, isKey: true, hasChildren: found });
    else if (!found) items.push({ name: candidate.name, key: candidate.key, isKey: false, hasChildren: true });
  });
  return items;
}

/** Whether any key starts with `prefix` at `revision` (now when undefined): one keys-only read of at most one key. */
export async function anyKeyUnder(
  connection: ClusterConnection,
  prefix: Uint8Array,
  revision: number | undefined,
): Promise<{ found: boolean; revision: number }> {
  const page = await range(connection, { key: prefix, rangeEnd: prefixRangeEnd(prefix), limit: 1, keysOnly: true, revision });
  return { found: page.kvs.length > 0, revision: page.header.revision };
}

/**
 * Keys under each folder prefix ("…/") at `revision`, from the folder index when it is at exactly
 * that revision (the visible counts of a level access rules show in part); undefined otherwise.
 */
export async function countFoldersAt(
  connection: ClusterConnection,
  prefixes: Uint8Array[],
  revision: number,
): Promise<(number | undefined)[]> {
  const index = getFolderIndex(connection);
  const names = prefixes.map((prefix) => Buffer.from(prefix).toString("latin1"));
  let counts = index.countUnderAt(names, revision);
  const status = index.status();
  if (!counts && (status.state !== "ready" || status.revision < revision)) {
    // Not built yet, or behind the revision the page was read at: wait as a listing does.
    await index.acquire({ buildWaitMs: BUILD_WAIT_MS, catchUpMs: CATCH_UP_MS });
    counts = index.countUnderAt(names, revision);
  }
  return counts ?? prefixes.map(() => undefined);
}
