// The shape of one level of the key tree, shared by the two ways a level is read (the folder
// index at the current revision, a scan at a past one) and by their callers.

export type ChildEntry = {
  name: Uint8Array;
  /** The child's own key: a key when isKey, else the folder's name without its trailing "/". */
  key: Uint8Array;
  isKey: boolean;
  hasChildren: boolean;
  /** Keys below the folder, when the folder index knows it exactly (current revision only). */
  keyCount?: number;
  /**
   * Only part of this folder is visible to the viewer (access rules): keyCount, when given, counts
   * only the keys they may see, so the folder holds at least that many.
   */
  partial?: true;
};

export type ChildrenPage = {
  revision: number;
  items: ChildEntry[];
  nextCursor: Uint8Array | null;
  /** Set while the folder index is still being built: no items yet, ask again shortly. */
  indexing?: { keysScanned: number; startedAt: number };
};

export type ListChildrenRequest = {
  prefix: Uint8Array;
  revision?: number;
  /** Where the previous page stopped (an opaque key position). */
  cursor?: Uint8Array;
  /**
   * List only children at key positions before this one (exclusive): a window of the level, such
   * as the part an access rule's prefix covers (lib/etcd/visible-level.ts). A child folder lies
   * before it when its whole subtree does.
   */
  end?: Uint8Array;
  limit: number;
};
