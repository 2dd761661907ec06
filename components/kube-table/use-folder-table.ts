"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useClusterName } from "@/components/cluster/cluster-scope";
import type { TableDto } from "@/lib/api/dto";
import { tableQueries } from "@/lib/queries/tables";

// A folder's kubectl table, page by page. The table holds the pages that are of the first page's
// resource; a later page of another resource (or of several) ends it, and `endsAt` says so.

export type FolderTable = {
  query: ReturnType<typeof useTableQuery>;
  first?: TableDto;
  rows: TableDto["rows"];
  /** The time AGE is counted from (see TableClock); null while nothing is loaded. */
  reference: number | null;
  /** Set when a loaded page is not of the first page's resource: the table stops before it. */
  endsAt?: { row: number; found: string };
};

function useTableQuery(prefix: Uint8Array, revision: number | undefined, enabled: boolean) {
  return useInfiniteQuery({ ...tableQueries.folder(useClusterName(), prefix, revision), enabled });
}

const sameResource = (a: TableDto["resource"], b: TableDto["resource"]) =>
  a !== null && b !== null && a.group === b.group && a.kind === b.kind;

export function useFolderTable(prefix: Uint8Array, revision: number | undefined, enabled: boolean): FolderTable {
  const query = useTableQuery(prefix, revision, enabled);
  const pages = query.data?.pages;
  return useMemo(() => {
    const first = pages?.[0];
    if (!pages || !first || first.indexing) return { query, first: undefined, rows: [], reference: null };
    const rows: TableDto["rows"] = [];
    let reference = first.clock.at;
    let endsAt: FolderTable["endsAt"];
    for (const page of pages) {
      if (!sameResource(page.resource, first.resource)) {
        const found = page.resource ? page.resource.kind : (page.found ?? []).map((kind) => `${kind.what} ×${kind.count}`).join(", ");
        endsAt = { row: rows.length, found };
        break;
      }
      rows.push(...page.rows);
      // At a past revision every loaded page's newest stamp lies at or before it: the newest is the best estimate.
      if (page.clock.basis === "newest-timestamp" && page.clock.at !== null)
        reference = Math.max(reference ?? page.clock.at, page.clock.at);
    }
    return { query, first, rows, reference, endsAt };
  }, [query, pages]);
}
