"use client";

import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { ChildDto } from "@/lib/api/dto";
import { useFolderTable, type FolderTable } from "./use-folder-table";

// The folder view's choice between its plain list and the kubectl table. The table is offered
// only when the folder's first page holds keys alone (no sub-folders) and the server found them
// all to be objects of one resource, and is then what the folder opens as, as `kubectl get`
// would show it. The choice is in the page URL as `?show=list|table` (`view` already names the
// diff layout), so a copied link opens the same view.

const SHOW_PARAM = "show";

type Shown = "list" | "table";

/** Puts the choice into the address bar without a navigation; the table, the default, is left out. */
function writeShown(shown: Shown): void {
  const url = new URL(window.location.href);
  if (shown === "table") url.searchParams.delete(SHOW_PARAM);
  else url.searchParams.set(SHOW_PARAM, shown);
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
}

export type TableView = { table: FolderTable; available: boolean; shown: boolean; setShown: (shown: boolean) => void };

/**
 * `listedAt` is when the folder's listing was last fetched: Live refreshes the listing whenever a
 * key in the folder changes, and the table follows it.
 */
export function useTableView(
  prefix: Uint8Array,
  revision: number | undefined,
  firstPage: ChildDto[] | undefined,
  listedAt: number,
): TableView {
  const keysOnly = firstPage !== undefined && firstPage.length > 0 && firstPage.every((item) => item.isKey);
  const table = useFolderTable(prefix, revision, keysOnly);
  const param = useSearchParams().get(SHOW_PARAM);
  const [chosen, setChosen] = useState<Shown>(param === "list" ? "list" : "table");
  const setShown = (table: boolean) => {
    setChosen(table ? "table" : "list");
    writeShown(table ? "table" : "list");
  };
  const lastListed = useRef(listedAt);
  const { refetch, isFetched } = table.query;
  useEffect(() => {
    if (listedAt === lastListed.current) return;
    lastListed.current = listedAt;
    if (isFetched && revision === undefined) void refetch();
  }, [listedAt, isFetched, revision, refetch]);
  const available = keysOnly && Boolean(table.first?.resource);
  return { table, available, shown: available && chosen === "table", setShown };
}

export function FolderViewSwitch({ view, filtering }: { view: TableView; filtering: boolean }) {
  if (!view.available) return null;
  const kind = view.table.first?.resource?.kind ?? "";
  const button = (label: string, table: boolean) => (
    <button
      type="button"
      aria-pressed={view.shown === table}
      disabled={filtering && table}
      title={filtering && table ? "The table shows the whole folder: clear the filter to see it" : undefined}
      onClick={() => view.setShown(table)}
      className={`px-2 py-0.5 text-xs font-medium disabled:opacity-50 ${view.shown === table ? "bg-slate-700 text-white" : "bg-white text-slate-700 hover:bg-slate-100"}`}
    >
      {label}
    </button>
  );
  return (
    <div role="group" aria-label="Show this folder as" className="flex overflow-hidden rounded border border-slate-300">
      {button("List", false)}
      {button(`Table (${kind})`, true)}
    </div>
  );
}
