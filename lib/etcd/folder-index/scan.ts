import "server-only";
import type { ClusterConnection } from "../client";
import { range } from "../kv";
import type { FolderTree } from "./folder-tree";

// Fills a tree from one keys-only pass over the whole keyspace, pinned to one revision so the
// pages add up to a snapshot. Pages are sized from the keys seen so far to stay near 3 MiB, well
// under gRPC's usual 4 MiB receive limit; only the current page's keys are ever held.

const TARGET_PAGE_BYTES = 3 * 1024 * 1024;
// A keys-only KeyValue carries about this much besides the key: revisions, version, lease, tags.
const PER_KEY_OVERHEAD_BYTES = 40;
const FIRST_PAGE_KEYS = 5_000;
const MAX_PAGE_KEYS = 100_000;

export type ScanProgress = { keysScanned: number };

export async function scanIntoTree(
  connection: ClusterConnection,
  tree: FolderTree,
  revision: number,
  progress: ScanProgress,
  isStopped: () => boolean,
): Promise<void> {
  let start: Buffer = Buffer.from([0]);
  const end = Buffer.from([0]);
  let limit = FIRST_PAGE_KEYS;
  let keyBytes = 0;
  for (;;) {
    if (isStopped()) return;
    const page = await range(connection, { key: start, rangeEnd: end, limit, keysOnly: true, revision });
    for (const kv of page.kvs) {
      tree.addKey(kv.key.toString("latin1"), true);
      keyBytes += kv.key.length;
    }
    progress.keysScanned += page.kvs.length;
    if (!page.more || page.kvs.length === 0) return;
    start = Buffer.concat([page.kvs[page.kvs.length - 1].key, Buffer.from([0])]);
    const bytesPerKey = keyBytes / progress.keysScanned + PER_KEY_OVERHEAD_BYTES;
    limit = Math.max(1_000, Math.min(MAX_PAGE_KEYS, Math.floor(TARGET_PAGE_BYTES / bytesPerKey)));
  }
}
