import "server-only";
import { concatBytes, includesBytes, parentLevel, prefixRangeEnd, startsWithBytes } from "@/lib/keys";
import type { ChildEntry, ChildrenPage, ListChildrenRequest } from "./tree-level";

// One tree level as a viewer whom access rules show only part of it sees it: the children the
// rules' prefixes lead to, read window by window, never the whole level. A granted prefix longer
// than the level (the level "/registry/", the prefix "/registry/configmaps/kube-system/") either
// covers a run of the level's children ("/registry/config" covers every child whose name starts with
// "config"), read as a window of the level, or lies inside one child folder ("configmaps"), which
// is shown as that folder, partly visible, counting only the keys under its granted prefixes.
// Nothing is read outside the windows, so the cost follows what the viewer may see, and a page of
// visible children pages on like any level (the cursor is a key position of the level, as etcd's).

/** Reads one page of a level (etcd's, or the archive's at a compacted revision), honouring `end`. */
export type LevelLister = (request: ListChildrenRequest) => Promise<ChildrenPage>;

/** Keys under each folder prefix ("…/"), when known exactly at `revision` (the folder index); undefined otherwise. */
export type FolderCounter = (prefixes: Uint8Array[], revision: number) => Promise<(number | undefined)[]>;

/**
 * What a level's reader knows besides its pages: folder counts, and whether any key starts with a
 * prefix (one read of etcd; without it the level's lister is asked, which at a past revision scans
 * in growing steps). The revision is the one the page was pinned to, or undefined for now.
 */
export type LevelHelpers = {
  countFolders?: FolderCounter;
  anyKeyUnder?: (prefix: Uint8Array, revision: number | undefined) => Promise<{ found: boolean; revision: number }>;
};

type Window =
  /** Every child at a position in [start, end) is visible. */
  | { kind: "range"; start: Uint8Array; end: Uint8Array }
  /** The one child folder `name`, at the positions [start = prefix+name+"/", end = prefix+name+"0"). */
  | { kind: "folder"; name: Uint8Array; start: Uint8Array; end: Uint8Array; whole: boolean; inner: Uint8Array[] };

const SLASH = 0x2f;
const ZERO_CHAR = 0x30;

const compare = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The windows of `prefix`'s level that `granted` (prefixes longer than the level's, none inside
 * another, as access-rules.ts grantedPrefixes gives them) make visible, in key order. They never
 * overlap: a folder's positions start with its name and "/", which no range window's prefix (it
 * holds no "/" past the level) can cover without covering the folder's granted prefix too.
 */
export function planVisibleWindows(prefix: Uint8Array, granted: readonly Uint8Array[]): Window[] {
  const windows: Window[] = [];
  const folders = new Map<string, Extract<Window, { kind: "folder" }>>();
  for (const given of granted) {
    if (!startsWithBytes(given, prefix) || given.length === prefix.length) continue;
    const rest = given.subarray(prefix.length);
    const slash = rest.indexOf(SLASH);
    if (slash < 0) {
      windows.push({ kind: "range", start: given, end: prefixRangeEnd(given) });
      continue;
    }
    const name = rest.subarray(0, slash);
    const id = Buffer.from(name).toString("latin1");
    let folder = folders.get(id);
    if (!folder) {
      const base = concatBytes(prefix, name);
      folder = {
        kind: "folder",
        name,
        start: concatBytes(base, Uint8Array.of(SLASH)),
        end: concatBytes(base, Uint8Array.of(ZERO_CHAR)),
        whole: false,
        inner: [],
      };
      folders.set(id, folder);
      windows.push(folder);
    }
    if (slash === rest.length - 1) folder.whole = true;
    folder.inner.push(given);
  }
  return windows.sort((a, b) => compare(a.start, b.start));
}

/**
 * Whether two keys of the level lie in one window a granted prefix covers whole, so that no key
 * the viewer may not see lies between them (a range read from one to the other reads only theirs).
 */
export function inOneVisibleRun(prefix: Uint8Array, granted: readonly Uint8Array[]): (a: Uint8Array, b: Uint8Array) => boolean {
  const ranges = planVisibleWindows(prefix, granted).filter((window) => window.kind === "range");
  const inside = (key: Uint8Array, window: Window) => compare(key, window.start) >= 0 && compare(key, window.end) < 0;
  return (a, b) => ranges.some((window) => inside(a, window) && inside(b, window));
}

/**
 * One page of the level `request.prefix` showing only what `granted` makes visible (see above).
 * `contains` narrows it to children whose name contains those bytes, as filter-children.ts does
 * for a whole level.
 */
export async function listVisibleLevel(
  list: LevelLister,
  request: ListChildrenRequest & { contains?: Uint8Array },
  granted: readonly Uint8Array[],
  helpers: LevelHelpers = {},
): Promise<ChildrenPage> {
  const { prefix, limit, contains } = request;
  const cursor = request.cursor;
  let revision = request.revision;
  const items: ChildEntry[] = [];
  const windows = planVisibleWindows(prefix, granted).filter((window) => !cursor || compare(cursor, window.end) < 0);
  for (const window of windows) {
    if (items.length >= limit) {
      return { revision: revision ?? 0, items, nextCursor: cursor && compare(cursor, window.start) > 0 ? cursor : window.start };
    }
    if (window.kind === "range") {
      const from = cursor && compare(cursor, window.start) > 0 ? cursor : window.start;
      const page = await listWindow(list, { prefix, revision, cursor: from, end: window.end, limit: limit - items.length }, contains);
      if (page.indexing) return page;
      revision ??= page.revision;
      items.push(...page.items);
      if (page.nextCursor) return { revision, items, nextCursor: page.nextCursor };
      continue;
    }
    // A folder window is passed once the cursor is past its start (a cursor this lister gave is its end).
    if (cursor && compare(cursor, window.start) > 0) continue;
    if (contains && contains.length > 0 && !includesBytes(window.name, contains)) continue;
    const described = await describeFolder(list, prefix, window, revision, helpers);
    if (described.indexing) return { revision: 0, items: [], nextCursor: null, indexing: described.indexing };
    revision ??= described.revision;
    if (described.entry) items.push(described.entry);
  }
  return { revision: revision ?? 0, items, nextCursor: null };
}

/** One window's children, name-filtered when asked, in bounded pages; nextCursor null once the window is done. */
async function listWindow(
  list: LevelLister,
  request: ListChildrenRequest & { end: Uint8Array },
  contains?: Uint8Array,
): Promise<ChildrenPage> {
  const items: ChildEntry[] = [];
  let cursor = request.cursor;
  let revision = request.revision;
  // A name filter reads pages of the window until the page is full (filter-children.ts bounds a whole level the same way).
  for (let read = 0; read < 10_000;) {
    const page = await list({ ...request, revision, cursor, limit: contains ? 500 : request.limit - items.length });
    if (page.indexing) return page;
    revision ??= page.revision;
    read += page.items.length;
    // A lister that does not bound its reads by `end` (the archive's) may go past the window.
    const inside = page.items.filter((item) => compare(item.key, request.end) < 0);
    for (const item of inside) {
      if (contains && !includesBytes(item.name, contains)) continue;
      if (items.length === request.limit) return { revision, items, nextCursor: positionAfter(items[items.length - 1]) };
      items.push(item);
    }
    if (inside.length < page.items.length || !page.nextCursor || compare(page.nextCursor, request.end) >= 0) {
      return { revision, items, nextCursor: null };
    }
    if (!contains) return { revision, items, nextCursor: page.nextCursor };
    cursor = page.nextCursor;
  }
  return { revision: revision ?? 0, items, nextCursor: cursor ?? null };
}

function positionAfter(item: ChildEntry): Uint8Array {
  return concatBytes(item.key, Uint8Array.of(item.isKey ? 0x00 : ZERO_CHAR));
}

/**
 * A folder the viewer sees whole or part of: listed when something visible lies in it, with the
 * count of what is visible (the folder index's, at the current revision). The folder's own name as
 * a key is not under its granted prefixes, so it is shown as a folder only.
 */
async function describeFolder(
  list: LevelLister,
  prefix: Uint8Array,
  window: Extract<Window, { kind: "folder" }>,
  revision: number | undefined,
  { countFolders, anyKeyUnder }: LevelHelpers,
): Promise<{ entry?: ChildEntry; revision?: number; indexing?: ChildrenPage["indexing"] }> {
  const probes = window.whole ? [window.start] : window.inner;
  const folderProbes = probes.filter((probe) => probe[probe.length - 1] === SLASH);
  let pinned = revision;
  let exists = false;
  let counts: (number | undefined)[] = [];
  if (pinned !== undefined && countFolders) counts = await countFolders(folderProbes, pinned);
  const allCounted =
    folderProbes.length === probes.length && counts.length === probes.length && counts.every((count) => count !== undefined);
  if (allCounted) {
    exists = counts.some((count) => count! > 0);
  } else {
    for (const probe of probes) {
      if (anyKeyUnder) {
        const answer = await anyKeyUnder(probe, pinned);
        pinned ??= answer.revision;
        exists = answer.found;
        if (exists) break;
        continue;
      }
      const folder = probe[probe.length - 1] === SLASH;
      const page = await list(
        folder
          ? { prefix: probe, revision: pinned, limit: 1 }
          : { prefix: parentLevel(probe), revision: pinned, cursor: probe, end: prefixRangeEnd(probe), limit: 1 },
      );
      if (page.indexing) return { indexing: page.indexing };
      pinned ??= page.revision;
      if (page.items.some((item) => folder || startsWithBytes(item.key, probe))) {
        exists = true;
        break;
      }
    }
    if (exists && countFolders && pinned !== undefined && counts.length === 0) counts = await countFolders(folderProbes, pinned);
  }
  if (!exists) return { revision: pinned };
  const known = counts.length === folderProbes.length && folderProbes.length > 0 && counts.every((count) => count !== undefined);
  const entry: ChildEntry = { name: window.name, key: concatBytes(prefix, window.name), isKey: false, hasChildren: true };
  if (window.whole) {
    if (known) entry.keyCount = counts[0];
  } else {
    entry.partial = true;
    if (known) entry.keyCount = counts.reduce<number>((sum, count) => sum + count!, 0);
  }
  return { entry, revision: pinned };
}
