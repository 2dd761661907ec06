import "server-only";
import type { ClusterConnection } from "../client";
import { isCompactedError } from "../errors";
import { backoffDelayMs, BACKOFF_CAP_MS } from "../watch/backoff";
import { RangePlanner, type KeyRange } from "./range-planner";

// The sizing pass: after the keys-only build, one read of every value, in key order, pinned to
// the index's revision, in the narrow ranges the build's RangePlanner cuts (etcd walks a range's
// whole width on every request, so open-ended pages would cost a walk of the rest of the keyspace
// each), keeping only each value's length (range-wire.ts reads it from the response's bytes and
// skips the value). It must not hurt etcd: one page at a time, each asked by key count (etcd 3.4
// cannot limit a range by size) from the larger of the average entry so far and the last page's,
// so that a page stays near 1 MiB, far below gRPC's 4 MiB; a failed page waits with backoff
// (1 s doubling to 30 s, full jitter) and is retried smaller, for as long as etcd stays away.
// A revision etcd has compacted ends the pass with an error: the index starts it over.

const TARGET_PAGE_BYTES = 1024 * 1024;
const FIRST_PAGE_KEYS = 200;
const MAX_PAGE_KEYS = 10_000;
const PAGE_DEADLINE_MS = 60_000;
const BACKOFF = { baseMs: 1_000, capMs: BACKOFF_CAP_MS };

export type SizingProgress = { sized: number; pages: number; bytesRead: number; failures: number };

export type SizingOptions = {
  /** Keys per page at most; tests make it tiny so that a small keyspace takes many pages. */
  maxPageKeys?: number;
  /** Waits between pages (tests: to let writes land while the pass runs). */
  pauseMs?: number;
};

export type SizesPage = { keys: string[]; sizes: number[]; more: boolean; count: number; bytes: number };

export async function runSizingPass(
  connection: ClusterConnection,
  revision: number,
  onPage: (keys: string[], sizes: number[]) => void,
  progress: SizingProgress,
  isStopped: () => boolean,
  options: SizingOptions = {},
): Promise<void> {
  const maxPageKeys = options.maxPageKeys ?? MAX_PAGE_KEYS;
  // Narrow ranges as the keys-only build reads them: etcd walks a range's whole width on every request.
  const planner = new RangePlanner();
  let limit = Math.min(FIRST_PAGE_KEYS, maxPageKeys);
  let failuresInRow = 0;
  let entries = 0;
  while (!planner.finished) {
    if (isStopped()) return;
    const range = planner.nextRange();
    if (!range) throw new Error("the sizing pass has nothing to read but is not finished");
    let page: SizesPage;
    for (;;) {
      try {
        page = await readSizesPage(connection, range, limit, revision);
        break;
      } catch (error) {
        if (isCompactedError(error)) throw error;
        if (isStopped()) return;
        failuresInRow += 1;
        progress.failures += 1;
        // Too large an answer or a slow etcd: smaller pages; etcd away: the wait grows.
        limit = Math.max(1, limit >> 1);
        await delay(Math.max(BACKOFF.baseMs / 2, backoffDelayMs(failuresInRow, BACKOFF)));
      }
    }
    failuresInRow = 0;
    if (isStopped()) return;
    planner.record(range, page, limit);
    // One range at a time: each page follows the last in key order and is applied at once.
    planner.takeKeysInOrder();
    onPage(page.keys, page.sizes);
    progress.sized += page.keys.length;
    progress.pages += 1;
    progress.bytesRead += page.bytes;
    entries += page.keys.length;
    if (page.keys.length > 0) {
      const perEntry = Math.max(progress.bytesRead / entries, page.bytes / page.keys.length);
      limit = Math.max(1, Math.min(maxPageKeys, Math.floor(TARGET_PAGE_BYTES / perEntry)));
    }
    if (options.pauseMs) await delay(options.pauseMs);
  }
}

function readSizesPage(connection: ClusterConnection, range: KeyRange, limit: number, revision: number): Promise<SizesPage> {
  return connection.client.rangeSizes({ key: range.start, range_end: range.end, limit, revision }, Date.now() + PAGE_DEADLINE_MS);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
