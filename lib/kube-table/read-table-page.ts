import "server-only";
import { decodeValue } from "@/lib/decode";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readLevelValues } from "@/lib/etcd/level-values";
import type { ListChildrenRequest } from "@/lib/etcd/tree-level";
import { keyToDisplay } from "@/lib/keys";
import { buildTable, type BuiltTable } from "./build-table";
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

export async function readTablePage(connection: ClusterConnection, request: ListChildrenRequest): Promise<TablePage> {
  const page = await readLevelValues(connection, request);
  const table = buildTable(
    page.entries.map(({ child, kv }) => ({
      key: child.key,
      name: keyToDisplay(child.name),
      // A key whose value vanished between listing and reading cannot happen at one revision;
      // an entry without a value is a folder.
      value: kv ? decodeValue(kv.value, { modRevision: kv.modRevision, key: kv.key }) : null,
    })),
  );
  const clock: TableClock =
    request.revision === undefined
      ? { basis: "now", at: Date.now() }
      : { basis: "newest-timestamp", at: table.resource ? table.newestTimestamp : null };
  return { revision: page.revision, table, clock, nextCursor: page.nextCursor, ...(page.indexing ? { indexing: page.indexing } : {}), reads: page.reads };
}
