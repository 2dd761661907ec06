import "server-only";
import type { ClusterConnection } from "../client";
import type { FolderTree } from "./folder-tree";

// Fills a tree from one keys-only pass over the whole keyspace, pinned to one revision so the
// pages add up to a snapshot. The keyspace can be split into buckets by key prefix, read a few at
// once (see ScanOptions; off by default, as planning costs more than it saves on etcd 3.4). Pages
// are sized from the keys seen so
// far to stay near 3 MiB, well under gRPC's usual 4 MiB receive limit; only the pages being read
// are ever held.

const TARGET_PAGE_BYTES = 3 * 1024 * 1024;
// A keys-only KeyValue carries about this much besides the key: revisions, version, lease, tags.
const PER_KEY_OVERHEAD_BYTES = 40;
const FIRST_PAGE_KEYS = 5_000;
const MAX_PAGE_KEYS = 100_000;
// etcd 3.4 reads every value even for keys-only ranges, so a page of large values (4 KB Pods) can
// take seconds: pages get their own deadline rather than the per-request one meant for pages a
// person waits on, and a failed page is retried smaller before the build gives up.
const PAGE_DEADLINE_MS = 60_000;
const PAGE_ATTEMPTS = 3;

async function readPage(connection: ClusterConnection, start: Buffer, end: Buffer, limit: number, revision: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await connection.client.kv.range(
        { key: start, range_end: end, limit, revision, keys_only: true },
        { deadline: Date.now() + PAGE_DEADLINE_MS },
      );
      return { keys: (response.kvs ?? []).map((kv) => kv.key), more: Boolean(response.more) };
    } catch (error) {
      if (attempt >= PAGE_ATTEMPTS) throw error;
      limit = Math.max(100, limit >> 2);
    }
  }
}

export type ScanProgress = { keysScanned: number };

type Bucket = { prefix: string; start: Buffer; end: Buffer; whole: boolean };

const latin1 = (text: string) => Buffer.from(text, "latin1");
const ZERO = Buffer.from([0]);

/** The end of the range of keys starting with `prefix`; "\0" (to the end) for the empty prefix. */
function bucketEnd(prefix: string): Buffer {
  const bytes = latin1(prefix);
  for (let at = bytes.length - 1; at >= 0; at--) {
    if (bytes[at] < 0xff) return Buffer.concat([bytes.subarray(0, at), Buffer.from([bytes[at] + 1])]);
  }
  return ZERO;
}

async function countRange(connection: ClusterConnection, start: Buffer, end: Buffer, revision: number): Promise<number> {
  const response = await connection.client.kv.range({ key: start, range_end: end, count_only: true, revision }, { deadline: Date.now() + PAGE_DEADLINE_MS });
  return Number(response.count ?? 0);
}

async function firstKey(connection: ClusterConnection, start: Buffer, end: Buffer, revision: number): Promise<string | null> {
  const response = await connection.client.kv.range(
    { key: start, range_end: end, limit: 1, keys_only: true, revision },
    { deadline: Date.now() + PAGE_DEADLINE_MS },
  );
  return response.kvs?.[0]?.key.toString("latin1") ?? null;
}

/**
 * Splits the keyspace into buckets of keys sharing a prefix, each at most about `target` keys,
 * so several can be read at once with ranges whose width is the bucket's. A bucket is split by
 * its keys' next byte (found by jumping from one non-empty byte to the next); a bucket whose keys
 * all share a longer prefix is narrowed first. Count-only requests cost a fraction of reading.
 */
export async function planBuckets(connection: ClusterConnection, revision: number, target: number): Promise<Bucket[]> {
  if (!Number.isFinite(target)) return [{ prefix: "", start: ZERO, end: ZERO, whole: true }];
  const total = await countRange(connection, ZERO, ZERO, revision);
  if (total <= target) return [{ prefix: "", start: ZERO, end: ZERO, whole: true }];
  const buckets: Bucket[] = [];
  let requests = 0;
  const split = async (prefix: string, count: number, depth: number): Promise<void> => {
    const end = bucketEnd(prefix);
    const start = prefix.length > 0 ? latin1(prefix) : ZERO;
    if (count <= target || depth > 24 || requests > 2_000) {
      buckets.push({ prefix, start, end, whole: false });
      return;
    }
    const first = await firstKey(connection, start, end, revision);
    if (first === null) return;
    // Narrow to the longest shared prefix first, a byte at a time (/registry/events/ns-...).
    let narrowed = prefix;
    while (narrowed.length < first.length && narrowed.length < prefix.length + 64) {
      const candidate = first.slice(0, narrowed.length + 1);
      requests += 1;
      if ((await countRange(connection, latin1(candidate), bucketEnd(candidate), revision)) !== count) break;
      narrowed = candidate;
    }
    // Every key of the bucket starts with the narrowed prefix: nothing is left outside it.
    if (narrowed !== prefix) return split(narrowed, count, depth + 1);
    let cursor: Buffer = start;
    if (first === prefix) {
      // The prefix is itself a key: a bucket of its own.
      buckets.push({ prefix, start, end: Buffer.concat([start, ZERO]), whole: false });
      cursor = Buffer.concat([start, ZERO]);
    }
    for (;;) {
      requests += 1;
      const next = await firstKey(connection, cursor, end, revision);
      if (next === null) return;
      const child = next.slice(0, prefix.length + 1);
      const childEnd = bucketEnd(child);
      const childCount = await countRange(connection, latin1(child), childEnd, revision);
      await split(child, childCount, depth + 1);
      const endless = end.equals(ZERO);
      if (childEnd.equals(ZERO) || (!endless && Buffer.compare(childEnd, end) >= 0)) return;
      cursor = childEnd;
    }
  };
  await split("", total, 0);
  return buckets;
}

async function scanBucket(
  connection: ClusterConnection,
  tree: FolderTree,
  bucket: Bucket,
  revision: number,
  progress: ScanProgress,
  isStopped: () => boolean,
): Promise<void> {
  let start = bucket.start;
  let limit = FIRST_PAGE_KEYS;
  let keyBytes = 0;
  let keys = 0;
  const orderedBelow = bucket.whole ? -1 : bucket.prefix.length;
  for (;;) {
    if (isStopped()) return;
    const page = await readPage(connection, start, bucket.end, limit, revision);
    for (const key of page.keys) {
      tree.addKeyOrderedBelow(key.toString("latin1"), orderedBelow);
      keyBytes += key.length;
    }
    keys += page.keys.length;
    progress.keysScanned += page.keys.length;
    if (!page.more || page.keys.length === 0) return;
    start = Buffer.concat([page.keys[page.keys.length - 1], ZERO]);
    const bytesPerKey = keyBytes / keys + PER_KEY_OVERHEAD_BYTES;
    limit = Math.max(1_000, Math.min(MAX_PAGE_KEYS, Math.floor(TARGET_PAGE_BYTES / bytesPerKey)));
  }
}

export type ScanOptions = {
  /**
   * Keys per bucket above which the keyspace is split for parallel reading; off by default.
   * Measured on etcd 3.4 with a million keys, planning the buckets took 14 s: the limit-1 ranges
   * that find each bucket's first key cost the width of the range like any other, which is more
   * than parallel reading saves. It stays for etcd versions where such ranges are cheap.
   */
  bucketKeys?: number;
  /** Buckets read at once. */
  concurrency?: number;
};

export async function scanIntoTree(
  connection: ClusterConnection,
  tree: FolderTree,
  revision: number,
  progress: ScanProgress,
  isStopped: () => boolean,
  options: ScanOptions = {},
): Promise<void> {
  const buckets = await planBuckets(connection, revision, options.bucketKeys ?? Infinity);
  let next = 0;
  const worker = async () => {
    while (next < buckets.length && !isStopped()) {
      const bucket = buckets[next++];
      await scanBucket(connection, tree, bucket, revision, progress, isStopped);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 3, buckets.length) }, worker));
}
