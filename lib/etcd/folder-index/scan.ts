import "server-only";
import type { ClusterConnection } from "../client";
import type { FolderTree } from "./folder-tree";
import { RangePlanner, type KeyRange } from "./range-planner";

// Fills a tree from one keys-only pass over the whole keyspace, pinned to one revision so the
// pages add up to a snapshot. Ranges come from RangePlanner (narrow ends, since etcd's cost per
// request follows a range's width), two at a time, so that etcd reads values on two cores while
// this process counts keys; pages are read raw (range-wire.ts) and sized from the bytes etcd sent
// (the larger of the average key so far and the last page's) to stay near 3 MiB, well under
// gRPC's usual 4 MiB receive limit. Only the pages in flight, and those read ahead of an earlier
// one still in flight, are held.

const TARGET_PAGE_BYTES = 3 * 1024 * 1024;
const FIRST_PAGE_KEYS = 5_000;
const MAX_PAGE_KEYS = 100_000;
// etcd 3.4 reads every value even for keys-only ranges, so a page of large values (4 KB Pods) can
// take seconds: pages get their own deadline rather than the per-request one meant for pages a
// person waits on, and a failed page is retried smaller before the build gives up.
const PAGE_DEADLINE_MS = 60_000;
const PAGE_ATTEMPTS = 3;
const RANGES_IN_FLIGHT = 2;

export type ScanProgress = { keysScanned: number };

export type ScanOptions = {
  /** Keys per page at most; tests make it tiny so that a small keyspace takes many ranges. */
  maxPageKeys?: number;
  /** Ranges read at once. */
  concurrency?: number;
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
  const concurrency = options.concurrency ?? RANGES_IN_FLIGHT;
  const planner = new RangePlanner();
  // Every request is in each race until it settles, so a failure is always seen (and never unhandled).
  const inFlight = new Map<number, Promise<{ id: number; page: Page }>>();
  let requests = 0;
  let limit = Math.min(FIRST_PAGE_KEYS, maxPageKeys);
  let keysRead = 0;
  let bytesRead = 0;
  while (!planner.finished) {
    for (
      let range = inFlight.size < concurrency ? planner.nextRange() : null;
      range;
      range = inFlight.size < concurrency ? planner.nextRange() : null
    ) {
      const id = requests++;
      inFlight.set(
        id,
        readPage(connection, range, limit, revision).then((page) => ({ id, page })),
      );
    }
    if (inFlight.size === 0) throw new Error("the folder index scan has nothing to read but is not finished");
    const { id, page } = await Promise.race(inFlight.values());
    inFlight.delete(id);
    if (isStopped()) return;
    planner.record(page.range, page, page.limit);
    keysRead += page.keys.length;
    bytesRead += page.bytes;
    if (page.keys.length > 0) {
      // The larger of the average so far and this page's: a stretch of longer keys stays under 4 MiB.
      const bytesPerKey = Math.max(bytesRead / keysRead, page.bytes / page.keys.length);
      limit = Math.max(1, Math.min(maxPageKeys, Math.floor(TARGET_PAGE_BYTES / bytesPerKey)));
    }
    for (const keys of planner.takeKeysInOrder()) {
      for (const key of keys) tree.addKey(key, true);
      progress.keysScanned += keys.length;
    }
  }
}
