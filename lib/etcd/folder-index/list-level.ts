import "server-only";
import { prefixRangeEnd } from "@/lib/keys";
import type { ClusterConnection } from "../client";
import { rangeMany, type RangeRequest } from "../kv";
import type { ChildEntry, ChildrenPage } from "../tree-level";
import { lowerBound, type FolderNode } from "./folder-tree";
import type { ReadyIndex } from "./folder-index";

// Lists one level from the folder index: sub-folders and their key counts come from the index
// without asking etcd; the level's direct keys are read with narrow ranges over the gaps between
// sub-folders that hold any, pinned to the index's revision so the page is one snapshot. A range
// never spans a sub-folder's subtree, so its cost follows the keys it returns.

type FolderSlot = { name: string; position: string; keyCount: number };
type Segment = { start: string; end: string | null; leaves: number | null; folder?: FolderSlot };

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const bytesOf = (text: string) => Buffer.from(text, "latin1");

/** Where the gap before sub-folder `at` starts: the level's start or just past the previous folder. */
function gapStart(prefix: string, node: FolderNode, at: number): string {
  return at === 0 ? prefix : prefix + node.positions[at - 1].slice(0, -1) + "0";
}

function planSegments(
  prefix: string,
  node: FolderNode,
  from: string,
  limit: number,
  end: string | null,
): { segments: Segment[]; next: string | null } {
  const first = lowerBound(node.positions, from.slice(prefix.length));
  const segments: Segment[] = [];
  let start = from;
  let expected = 0;
  for (let at = first; at <= node.positions.length; at++) {
    if (expected > limit) return { segments, next: start };
    let leaves = node.gaps[at];
    // A cursor inside a gap leaves an unknown part of it.
    if (at === first && leaves !== 0 && from !== gapStart(prefix, node, at)) leaves = null;
    // A window ending before the next folder (or the level's end) leaves an unknown part of the gap before it.
    if (end !== null && (at === node.positions.length || prefix + node.positions[at] >= end)) {
      segments.push({ start, end, leaves: leaves === 0 ? 0 : null });
      return { segments, next: null };
    }
    if (at === node.positions.length) {
      segments.push({ start, end: null, leaves });
      return { segments, next: null };
    }
    const position = node.positions[at];
    const folder = { name: position.slice(0, -1), position, keyCount: node.children.get(position)!.keyCount };
    segments.push({ start, end: prefix + position, leaves, folder });
    expected += (leaves ?? limit) + 1;
    start = prefix + folder.name + "0";
  }
  return { segments, next: null };
}

export async function listLevelFromIndex(
  connection: ClusterConnection,
  index: ReadyIndex,
  request: { prefix: Uint8Array; cursor?: Uint8Array; end?: Uint8Array; limit: number },
): Promise<ChildrenPage> {
  const { tree, revision } = index;
  const { limit } = request;
  const prefix = latin1(request.prefix);
  const node = tree.folder(prefix);
  const cursor = request.cursor ? latin1(request.cursor) : "";
  const from = cursor > prefix ? cursor : prefix;
  const levelEnd = prefix.length > 0 ? Buffer.from(prefixRangeEnd(bytesOf(prefix))) : Buffer.from([0]);
  const end = request.end && (prefix.length === 0 || Buffer.compare(Buffer.from(request.end), levelEnd) < 0) ? latin1(request.end) : null;
  if (!node || !from.startsWith(prefix) || (end !== null && from >= end)) return { revision, items: [], nextCursor: null };

  // Everything below is read from the tree before the first await: one consistent snapshot.
  const plan = planSegments(prefix, node, from, limit, end);
  const snapshotCounts = new Map(
    plan.segments.flatMap((segment) => (segment.folder ? [[segment.folder.name, segment.folder.keyCount]] : [])),
  );

  // Every read this page needs goes to etcd as one request: a level mixing keys and folders has
  // one gap of keys before each folder, and a round trip per gap made such levels slow to list.
  const requests: RangeRequest[] = [];
  const gapRead = plan.segments.map((segment) => {
    if (segment.leaves === 0) return -1;
    return (
      requests.push({
        key: segment.start.length > 0 ? bytesOf(segment.start) : Buffer.from([0]),
        rangeEnd: segment.end === null ? levelEnd : bytesOf(segment.end),
        limit: segment.leaves === null ? limit + 1 : Math.min(segment.leaves, limit + 1),
        keysOnly: true,
        revision,
      }) - 1
    );
  });
  // A folder whose own name sorts before the page start may have been listed, as a key, on an
  // earlier page; only etcd knows whether that key exists.
  const selfKeyRead = plan.segments.map((segment) => {
    const folder = segment.folder;
    if (!folder || prefix + folder.name >= from || prefix + folder.name === "") return -1;
    return requests.push({ key: bytesOf(prefix + folder.name), countOnly: true, revision }) - 1;
  });
  const answers = requests.length > 0 ? await rangeMany(connection, requests) : [];
  const pages = gapRead.map((at) => (at < 0 ? null : answers[at]));
  const selfKeys = selfKeyRead.map((at) => at >= 0 && answers[at].count > 0);

  const items: ChildEntry[] = [];
  const listedAsKey = new Set<string>();
  let nextCursor: string | null = plan.next;
  fill: for (let at = 0; at < plan.segments.length; at++) {
    const segment = plan.segments[at];
    for (const kv of pages[at]?.kvs ?? []) {
      const key = kv.key.toString("latin1");
      if (items.length >= limit) {
        nextCursor = key;
        break fill;
      }
      const name = key.slice(prefix.length);
      const keyCount = snapshotCounts.get(name) ?? tree.folder(key + "/")?.keyCount;
      if (keyCount !== undefined) listedAsKey.add(name);
      items.push({ name: bytesOf(name), key: kv.key, isKey: true, hasChildren: keyCount !== undefined, keyCount });
    }
    const folder = segment.folder;
    if (!folder || listedAsKey.has(folder.name) || selfKeys[at]) continue;
    if (items.length >= limit) {
      nextCursor = prefix + folder.position;
      break;
    }
    items.push({
      name: bytesOf(folder.name),
      key: bytesOf(prefix + folder.name),
      isKey: false,
      hasChildren: true,
      keyCount: folder.keyCount,
    });
  }
  return { revision, items, nextCursor: nextCursor === null ? null : bytesOf(nextCursor) };
}
