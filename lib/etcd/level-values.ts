import "server-only";
import { concatBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { range, type KeyValue } from "./kv";
import { listChildren } from "./list-children";
import type { ChildEntry, ChildrenPage, ListChildrenRequest } from "./tree-level";
import type { LevelLister } from "./visible-level";

// One page of a tree level with the values of its keys, for views that show what the keys hold
// (the kubectl-style tables). The page is listed the usual way (list-children.ts: the folder index
// now, a scan at a past revision), then only its own keys' values are read, at the page's
// revision, so names and values come from one snapshot.
//
// A run of keys that are next to each other in the level, none of them also a folder, is exactly
// the range [first, last + "\0"): one read, however many keys. Responses stay well under gRPC's
// 4 MiB: etcd says nothing of a value's size before sending it, so the first read takes two keys
// and each next one as many as fit in about 2 MiB at the largest value seen so far (a response can
// then exceed the budget by one value, which etcd caps at 1.5 MiB by default).

const BYTES_PER_READ = 2 * 1024 * 1024;
const FIRST_READ_KEYS = 2;

export type LevelEntry = { child: ChildEntry; kv?: KeyValue };
export type LevelValuesPage = Omit<ChildrenPage, "items"> & { entries: LevelEntry[]; reads: number };

/**
 * A page of a level's children, each key with its value at the page's revision. `onValues`, when
 * given, receives each read's values while the next read is already on its way to etcd, so that
 * a caller's work on them (decoding) overlaps etcd's on the next.
 */
export async function readLevelValues(
  connection: ClusterConnection,
  request: ListChildrenRequest,
  onValues?: (kvs: KeyValue[]) => void,
  /**
   * The level as access rules show it (lib/etcd/visible-level.ts), with which neighbours in the
   * page have no hidden key between them; the whole level when absent.
   */
  visible?: { list: LevelLister; adjacent: (a: Uint8Array, b: Uint8Array) => boolean },
): Promise<LevelValuesPage> {
  const page = visible ? await visible.list(request) : await listChildren(connection, request);
  const { items, ...rest } = page;
  const values = new Map<string, KeyValue>();
  let reads = 0;
  let largest = 0;
  let landed: KeyValue[] = [];
  const revision = page.revision > 0 ? page.revision : request.revision;
  const read = async (from: ChildEntry, to?: ChildEntry, limit?: number) => {
    const answer = range(connection, { key: from.key, rangeEnd: to ? concatBytes(to.key, Uint8Array.of(0)) : undefined, limit, revision });
    reads += 1;
    if (landed.length > 0) onValues?.(landed);
    landed = [];
    for (const kv of (await answer).kvs) {
      values.set(kv.key.toString("latin1"), kv);
      largest = Math.max(largest, kv.key.length + kv.value.length);
      landed.push(kv);
    }
  };
  for (const run of runsOfKeys(items, visible?.adjacent)) {
    // A key that is also a folder is read alone: a range past it would read its subtree.
    if (run.length === 1 || run[0].hasChildren) {
      for (const child of run) await read(child);
      continue;
    }
    let from = 0;
    while (from < run.length) {
      const fit = largest === 0 ? FIRST_READ_KEYS : Math.max(1, Math.floor(BYTES_PER_READ / largest));
      const chunk = run.slice(from, from + fit);
      await read(chunk[0], chunk[chunk.length - 1], chunk.length);
      from += chunk.length;
    }
  }
  if (landed.length > 0) onValues?.(landed);
  const entries = items.map((child) => {
    const kv = child.isKey ? values.get(Buffer.from(child.key).toString("latin1")) : undefined;
    return kv ? { child, kv } : { child };
  });
  return { ...rest, entries, reads };
}

/** The page's keys in runs of neighbours; a key that is also a folder is a run of its own. */
function runsOfKeys(items: ChildEntry[], adjacent?: (a: Uint8Array, b: Uint8Array) => boolean): ChildEntry[][] {
  const runs: ChildEntry[][] = [];
  let current: ChildEntry[] = [];
  const close = () => {
    if (current.length) runs.push(current);
    current = [];
  };
  for (const item of items) {
    if (!item.isKey) close();
    else if (item.hasChildren) {
      close();
      runs.push([item]);
    } else {
      // A key the viewer may not see between two that they may: the run ends, so that it is not read.
      if (adjacent && current.length > 0 && !adjacent(current[current.length - 1].key, item.key)) close();
      current.push(item);
    }
  }
  close();
  return runs;
}
