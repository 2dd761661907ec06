import "server-only";
import type { ClusterConnection } from "../client";
import type { FolderTree } from "./folder-tree";
import { RangeStepper, type KeyRange } from "./range-stepper";

// Fills a tree from one keys-only pass over the whole keyspace, pinned to one revision so the
// pages add up to a snapshot. Ranges come from RangeStepper (narrow ends, since etcd's cost per
// request follows a range's width); pages are read raw (range-wire.ts) and sized from the bytes
// etcd sent so far to stay near 3 MiB, well under gRPC's usual 4 MiB receive limit. The next
// page is asked for before the current one is added to the tree, so etcd and this process work
// at the same time. Only the pages in flight are ever held.

const TARGET_PAGE_BYTES = 3 * 1024 * 1024;
const FIRST_PAGE_KEYS = 5_000;
const MAX_PAGE_KEYS = 100_000;
// etcd 3.4 reads every value even for keys-only ranges, so a page of large values (4 KB Pods) can
// take seconds: pages get their own deadline rather than the per-request one meant for pages a
// person waits on, and a failed page is retried smaller before the build gives up.
const PAGE_DEADLINE_MS = 60_000;
const PAGE_ATTEMPTS = 3;

export type ScanProgress = { keysScanned: number };

export type ScanOptions = {
  /** Keys per page at most; tests make it tiny so that a small keyspace takes many ranges. */
  maxPageKeys?: number;
};

type Page = { range: KeyRange; limit: number; keys: string[]; more: boolean; count: number; bytes: number };

async function readPage(connection: ClusterConnection, range: KeyRange, limit: number, revision: number): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const page = await connection.client.rangeKeys(
        { key: range.start, range_end: range.end, limit, revision },
        Date.now() + PAGE_DEADLINE_MS,
      );
      return { range, limit, ...page };
    } catch (error) {
      if (attempt >= PAGE_ATTEMPTS) throw error;
      limit = Math.max(1, limit >> 2);
    }
  }
}

export async function scanIntoTree(
  connection: ClusterConnection,
  tree: FolderTree,
  revision: number,
  progress: ScanProgress,
  isStopped: () => boolean,
  options: ScanOptions = {},
): Promise<void> {
  const maxPageKeys = options.maxPageKeys ?? MAX_PAGE_KEYS;
  const stepper = new RangeStepper();
  let limit = Math.min(FIRST_PAGE_KEYS, maxPageKeys);
  let keysRead = 0;
  let bytesRead = 0;
  const first = stepper.next();
  let pending = first ? readPage(connection, first, limit, revision) : null;
  while (pending) {
    const page = await pending;
    if (isStopped()) return;
    stepper.record(page.range, page, page.limit);
    keysRead += page.keys.length;
    bytesRead += page.bytes;
    if (keysRead > 0) limit = Math.max(1, Math.min(maxPageKeys, Math.floor(TARGET_PAGE_BYTES / (bytesRead / keysRead))));
    const next = stepper.next();
    pending = next ? readPage(connection, next, limit, revision) : null;
    for (const key of page.keys) tree.addKey(key, true);
    progress.keysScanned += page.keys.length;
  }
}
