import "server-only";
import { NO_WRITES, WriteRate, type WriteRates } from "./write-rate";

// The tree's folders with exact key counts, without the keys themselves. Keys are handled as
// latin1 strings: one char per byte, so JavaScript's string order is etcd's byte order.
//
// Each folder keeps its sub-folders sorted by position, the first key their subtree could hold
// (name + "/"), which is not the order of the names: "a-b/" sorts before "a/". Between two
// consecutive sub-folders lie only direct keys of the level (any deeper key belongs to some
// sub-folder), so the folder also counts its direct keys per gap: gaps[i] counts those before
// positions[i], gaps[positions.length] those after the last sub-folder. A listing reads etcd only
// for gaps that hold keys, with ranges that never cross a sub-folder. A gap count becomes unknown
// (null) when a new sub-folder splits a gap that held keys, since the index does not know on
// which side they lie; the listing then reads that gap.

export type FolderNode = {
  /** Keys anywhere below this folder's prefix. */
  keyCount: number;
  /** Keys directly in this folder (no further "/"). */
  leafCount: number;
  positions: string[];
  children: Map<string, FolderNode>;
  gaps: (number | null)[];
  /** Bytes of the current values of the keys below (keys not included), as far as they are sized (folder-index.ts). */
  bytes: number;
  /** Writes below this folder the feed delivered, once it has any. */
  writes?: WriteRate;
};

function newNode(): FolderNode {
  return { keyCount: 0, leafCount: 0, positions: [], children: new Map(), gaps: [0], bytes: 0 };
}

/** A folder's write rates at `now`. */
export function writeRatesOf(node: FolderNode, now: number): WriteRates {
  return node.writes ? node.writes.rates(now) : NO_WRITES;
}

export function lowerBound(sorted: string[], value: string): number {
  // Keys arrive mostly in order while building: the append case is checked first.
  const last = sorted.length - 1;
  if (last < 0 || sorted[last] < value) return sorted.length;
  let low = 0;
  let high = last;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function addCounts(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** One folder as a snapshot holds it: its prefix ("" for the root), key counts and gap counts. */
export type FolderEntry = [prefix: string, keyCount: number, leafCount: number, gaps: (number | null)[]];

export class FolderTree {
  readonly root: FolderNode = newNode();
  private readonly folders = new Map<string, FolderNode>([["", this.root]]);

  /** Every folder, for a snapshot (snapshot.ts); the tree is rebuilt from them by fromEntries. */
  entries(): FolderEntry[] {
    return [...this.folders].map(([prefix, node]) => [prefix, node.keyCount, node.leafCount, node.gaps]);
  }

  /** The tree the entries were taken from; throws on entries that do not form one. */
  static fromEntries(entries: readonly FolderEntry[]): FolderTree {
    const tree = new FolderTree();
    // A parent's prefix is shorter than its children's: shortest first, each finds its parent.
    const ordered = entries.slice().sort((a, b) => a[0].length - b[0].length);
    for (const [prefix, keyCount, leafCount, gaps] of ordered) {
      let node = tree.root;
      if (prefix !== "") {
        // lastIndexOf treats a negative start as 0: the one-character "/" has the root as parent.
        const parentPrefix = prefix.length < 2 ? "" : prefix.slice(0, prefix.lastIndexOf("/", prefix.length - 2) + 1);
        const parent = tree.folders.get(parentPrefix);
        if (!parent || !prefix.endsWith("/")) throw new Error(`the folder index snapshot has a folder without its parent`);
        node = newNode();
        parent.children.set(prefix.slice(parentPrefix.length), node);
        tree.folders.set(prefix, node);
      }
      node.keyCount = keyCount;
      node.leafCount = leafCount;
      node.gaps = gaps;
    }
    for (const node of tree.folders.values()) {
      // Code-unit order of latin1 strings is etcd's byte order, as lowerBound compares.
      node.positions = [...node.children.keys()].sort();
      if (node.gaps.length !== node.positions.length + 1)
        throw new Error("the folder index snapshot's gap counts do not match its folders");
    }
    return tree;
  }

  /** The folder whose keys start with `prefix` ("" for the root, else ending in "/"). */
  folder(prefix: string): FolderNode | undefined {
    return this.folders.get(prefix);
  }

  get folderCount(): number {
    return this.folders.size;
  }

  /**
   * Counts a key that did not exist. `inKeyOrder` is true while building from a scan in key
   * order: then every direct key seen so far lies before a newly appended sub-folder.
   */
  addKey(key: string, inKeyOrder = false): void {
    let node = this.root;
    node.keyCount += 1;
    let start = 0;
    for (;;) {
      const slash = key.indexOf("/", start);
      if (slash < 0) {
        node.leafCount += 1;
        const gap = lowerBound(node.positions, key.slice(start));
        const count = node.gaps[gap];
        if (count !== null) node.gaps[gap] = count + 1;
        return;
      }
      const position = key.slice(start, slash + 1);
      let child = node.children.get(position);
      if (!child) {
        child = newNode();
        const at = lowerBound(node.positions, position);
        const split = node.gaps[at];
        const appended = at === node.positions.length;
        // Keys of the split gap lie before the new folder when building in key order; otherwise
        // their side is unknown unless there were none.
        const before = split === 0 || (inKeyOrder && appended) ? split : null;
        const after = split === 0 || (inKeyOrder && appended) ? 0 : null;
        node.positions.splice(at, 0, position);
        node.gaps.splice(at, 1, before, after);
        node.children.set(position, child);
        this.folders.set(key.slice(0, slash + 1), child);
      }
      child.keyCount += 1;
      node = child;
      start = slash + 1;
    }
  }

  /**
   * Counts one write of a key (a PUT or DELETE the feed delivered) on every folder of its path,
   * the root included, and adds `byteDelta` to their bytes. A deletion is recorded before
   * removeKey, a creation after addKey, so that the key's folders exist.
   */
  recordWrite(key: string, byteDelta: number, now: number | null): void {
    let node: FolderNode | undefined = this.root;
    let start = 0;
    while (node) {
      node.bytes += byteDelta;
      if (now !== null) (node.writes ??= new WriteRate()).record(now);
      const slash = key.indexOf("/", start);
      if (slash < 0) return;
      node = node.children.get(key.slice(start, slash + 1));
      start = slash + 1;
    }
  }

  /** Sets every folder's bytes to 0, for a sizing pass that starts over. */
  clearBytes(): void {
    for (const node of this.folders.values()) node.bytes = 0;
  }

  /** Uncounts a key that existed; false when the tree did not know it (it is then inexact). */
  removeKey(key: string): boolean {
    const path: { node: FolderNode; position: string; prefixEnd: number }[] = [];
    let node = this.root;
    let start = 0;
    for (;;) {
      const slash = key.indexOf("/", start);
      if (slash < 0) break;
      const position = key.slice(start, slash + 1);
      const child = node.children.get(position);
      if (!child) return false;
      path.push({ node, position, prefixEnd: slash + 1 });
      node = child;
      start = slash + 1;
    }
    if (node.leafCount === 0) return false;
    node.leafCount -= 1;
    const gap = lowerBound(node.positions, key.slice(start));
    const count = node.gaps[gap];
    if (count !== null) node.gaps[gap] = Math.max(0, count - 1);
    this.root.keyCount -= 1;
    for (const step of path) step.node.children.get(step.position)!.keyCount -= 1;
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const { node: parent, position, prefixEnd } = path[depth];
      const child = parent.children.get(position)!;
      if (child.keyCount > 0) break;
      const at = lowerBound(parent.positions, position);
      parent.positions.splice(at, 1);
      parent.gaps.splice(at, 2, addCounts(parent.gaps[at], parent.gaps[at + 1]));
      parent.children.delete(position);
      this.folders.delete(key.slice(0, prefixEnd));
    }
    return true;
  }
}
