import "server-only";
import { decodeValue } from "@/lib/decode";
import type { KeyValue } from "@/lib/etcd/kv";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readLevelValues, type LevelValuesPage } from "@/lib/etcd/level-values";
import type { ListChildrenRequest } from "@/lib/etcd/tree-level";
import { keyToDisplay } from "@/lib/keys";
import { assembleTable, summarizeValue, type BuiltTable, type EntrySummary } from "./build-table";
import type { TableClock } from "./types";

// The server's side of a kubectl-style table: one page of a folder (200 children by default), its
// values read and decoded, and nothing else of the folder. Secrets are decoded masked, as
// everywhere, and their rows carry only a type and a count.

export type TablePage = {
  revision: number;
  table: BuiltTable<Uint8Array>;
  clock: TableClock;
  nextCursor: Uint8Array | null;
  indexing?: { keysScanned: number; startedAt: number };
  /** Range reads of values this page took (the listing's own reads not counted). */
  reads: number;
};

/** Reads a page of a level with its values: etcd's (lib/etcd/level-values.ts), or the archive's at a revision etcd compacted. */
export type LevelValuesReader = (request: ListChildrenRequest, onValues: (kvs: KeyValue[]) => void) => Promise<LevelValuesPage>;

export async function readTablePage(
  connection: ClusterConnection,
  request: ListChildrenRequest,
  readValues: LevelValuesReader = (page, onValues) => readLevelValues(connection, page, onValues),
): Promise<TablePage> {
  // Each read is decoded while etcd answers the next, and each object reduced to its row at once:
  // holding a page of decoded objects until the end cost a third of the time in garbage collection.
  const summaries = new Map<KeyValue, EntrySummary>();
  const page = await readValues(request, (kvs) => {
    for (const kv of kvs) summaries.set(kv, summarizeValue(decodeValue(kv.value, { modRevision: kv.modRevision, key: kv.key })));
  });
  const folder = summarizeValue(null);
  const table = assembleTable(
    page.entries.map(({ child, kv }) => ({
      key: child.key,
      name: keyToDisplay(child.name),
      // Every key of the page has its value at the page's revision; an entry without one is a folder.
      summary: (kv && summaries.get(kv)) || folder,
    })),
  );
  const clock: TableClock =
    request.revision === undefined
      ? { basis: "now", at: Date.now() }
      : { basis: "newest-timestamp", at: table.resource ? table.newestTimestamp : null };
  return {
    revision: page.revision,
    table,
    clock,
    nextCursor: page.nextCursor,
    ...(page.indexing ? { indexing: page.indexing } : {}),
    reads: page.reads,
  };
}
