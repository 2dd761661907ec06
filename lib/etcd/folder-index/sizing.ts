import "server-only";
import type { ClusterConnection } from "../client";
import { isCompactedError } from "../errors";
import { backoffDelayMs, BACKOFF_CAP_MS } from "../watch/backoff";

// The sizing pass: after the keys-only build, one read of every value, in key order, pinned to
// the index's revision, keeping only each value's length (etcd3's decoder hands values out as
// views of the response, so nothing is copied). It must not hurt etcd: one page at a time, each asked by key count (etcd 3.4
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

export type SizesPage = { keys: string[]; sizes: number[]; more: boolean; bytes: number };

export async function runSizingPass(
  connection: ClusterConnection,
  revision: number,
  onPage: (keys: string[], sizes: number[]) => void,
  progress: SizingProgress,
  isStopped: () => boolean,
  options: SizingOptions = {},
): Promise<void> {
  const maxPageKeys = options.maxPageKeys ?? MAX_PAGE_KEYS;
  let start = Buffer.from([0]);
  let limit = Math.min(FIRST_PAGE_KEYS, maxPageKeys);
  let failuresInRow = 0;
  let entries = 0;
  for (;;) {
    if (isStopped()) return;
    let page: SizesPage;
    try {
      page = await readSizesPage(connection, start, limit, revision);
    } catch (error) {
      if (isCompactedError(error)) throw error;
      failuresInRow += 1;
      progress.failures += 1;
      // Too large an answer or a slow etcd: smaller pages; etcd away: the wait grows.
      limit = Math.max(1, limit >> 1);
      await delay(Math.max(BACKOFF.baseMs / 2, backoffDelayMs(failuresInRow, BACKOFF)));
      continue;
    }
    failuresInRow = 0;
    if (isStopped()) return;
    onPage(page.keys, page.sizes);
    progress.sized += page.keys.length;
    progress.pages += 1;
    progress.bytesRead += page.bytes;
    entries += page.keys.length;
    if (!page.more || page.keys.length === 0) return;
    start = Buffer.concat([Buffer.from(page.keys[page.keys.length - 1], "latin1"), Buffer.from([0])]);
    const perEntry = Math.max(progress.bytesRead / entries, page.bytes / page.keys.length);
    limit = Math.max(1, Math.min(maxPageKeys, Math.floor(TARGET_PAGE_BYTES / perEntry)));
    if (options.pauseMs) await delay(options.pauseMs);
  }
}

async function readSizesPage(connection: ClusterConnection, start: Buffer, limit: number, revision: number): Promise<SizesPage> {
  const response = await connection.client.kv.range(
    { key: start, range_end: Buffer.from([0]), limit, revision },
    { deadline: Date.now() + PAGE_DEADLINE_MS },
  );
  const keys: string[] = [];
  const sizes: number[] = [];
  // About what each entry costs on the wire: key, value, and four varint fields with their tags.
  let bytes = 0;
  for (const kv of response.kvs) {
    keys.push(kv.key.toString("latin1"));
    sizes.push(kv.value.length);
    bytes += kv.key.length + kv.value.length + 30;
  }
  return { keys, sizes, more: response.more, bytes };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
