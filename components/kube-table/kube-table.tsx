"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { KeyLink } from "@/components/key-tree/key-link";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import { compareCells, formatCell } from "@/lib/kube-table/cells";
import type { Cell } from "@/lib/kube-table/types";
import { base64ToBytes, keyHref } from "@/lib/keys";
import type { FolderTable } from "./use-folder-table";

// A folder of one Kubernetes resource as `kubectl get` prints it: kubectl's columns, 200 rows per
// page from the server, virtualized, sortable by any column. Sorting orders the rows loaded so far
// (the server pages in key order), and the caption says so while more pages remain.

const ROW_HEIGHT = 28;
// Every row is its own grid, so columns get one width for all rows: their longest text among
// the loaded rows, in the monospace font's character widths, up to a limit (the rest truncates).
const MAX_COLUMN_CHARS = 48;

type Sort = { column: number; descending: boolean } | null;

function gridColumns(columns: string[], rows: Cell[][], reference: number): string {
  const widths = columns.map((column) => column.length + 2);
  for (const cells of rows) {
    cells.forEach((cell, index) => {
      widths[index] = Math.min(MAX_COLUMN_CHARS, Math.max(widths[index], formatCell(cell, reference).length + 1));
    });
  }
  // The last column takes what room is left.
  return widths.map((width, index) => (index === widths.length - 1 ? `minmax(${width}ch, 1fr)` : `${width}ch`)).join(" ");
}

function describeClock(table: FolderTable, revision: number | undefined): string {
  const first = table.first!;
  const when = (millis: number) =>
    new Date(millis)
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d{3}Z$/, " UTC");
  if (first.clock.basis === "now") return `AGE is counted from now (the server's clock, ${when(first.clock.at)}), as kubectl get counts.`;
  if (table.reference === null) return `The objects at revision ${revision} carry no timestamps: ages are unknown.`;
  return `AGE is what kubectl get said at revision ${revision}: counted from ${when(table.reference)}, the newest write time stamped in these objects (etcd keeps no clock).`;
}

export function KubeTable({ table, revision }: { table: FolderTable; revision?: number }) {
  const { query, first, rows, reference, endsAt } = table;
  const [sort, setSort] = useState<Sort>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const clock = reference ?? 0;
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const cellOf = (row: (typeof rows)[number]): Cell =>
      sort.column === 0 && first?.columns[0] === "NAME" ? row.name : row.cells[nameless(first) ? sort.column : sort.column - 1];
    // Ties keep the folder's key order both ways.
    const sign = sort.descending ? -1 : 1;
    return [...rows].sort((a, b) => sign * compareCells(cellOf(a), cellOf(b), clock));
  }, [rows, sort, clock, first]);
  const template = useMemo(
    () =>
      gridColumns(
        first?.columns ?? [],
        rows.map((row) => (nameless(first) ? row.cells : [row.name, ...row.cells])),
        clock,
      ),
    [first, rows, clock],
  );
  const virtualizer = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastShown = virtualRows.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const more = Boolean(hasNextPage) && !endsAt;
  useEffect(() => {
    if (more && !isFetchingNextPage && lastShown >= sorted.length - 20) void fetchNextPage();
  }, [more, isFetchingNextPage, lastShown, sorted.length, fetchNextPage]);

  if (query.isError) return <ErrorPanel title="Could not read this folder as a table">{query.error.message}</ErrorPanel>;
  if (!first || !first.resource) return <Loading label="Reading this folder's objects…" />;
  const columns = first.columns;
  const resource = first.resource;
  const toggle = (column: number) =>
    setSort((current) =>
      current?.column === column ? (current.descending ? null : { column, descending: true }) : { column, descending: false },
    );

  return (
    <div className="space-y-1">
      <p className="text-xs text-slate-500">
        <span className="font-semibold text-slate-700">
          kubectl get {resource.kind.toLowerCase()}
          {resource.group ? `.${resource.group}` : ""}
        </span>{" "}
        ({resource.apiVersions.join(", ")}): {rows.length.toLocaleString()}
        {more ? "+" : ""} rows. {describeClock(table, revision)}
        {sort && more ? ` Sorted over the ${rows.length.toLocaleString()} rows loaded so far; scroll to load more.` : ""}
      </p>
      {endsAt ? (
        <p role="status" className="text-xs text-amber-800">
          The table ends after {endsAt.row.toLocaleString()} rows: the next page of the folder holds {endsAt.found}. The list shows
          everything.
        </p>
      ) : null}
      <div
        role="table"
        aria-label={`${resource.kind} table`}
        aria-rowcount={rows.length + 1}
        className="rounded border border-slate-200 bg-white text-[13px]"
      >
        <div ref={scroller} className="h-[65vh] overflow-auto">
          <div role="rowgroup" className="sticky top-0 z-10 w-max min-w-full border-b border-slate-200 bg-slate-50">
            {/* Rows are monospace so that the "ch" widths of the template are the cells' characters. */}
            <div role="row" className="grid w-max min-w-full gap-x-4 px-3 font-mono" style={{ gridTemplateColumns: template }}>
              {columns.map((column, index) => (
                <div
                  key={column}
                  role="columnheader"
                  aria-sort={sort?.column === index ? (sort.descending ? "descending" : "ascending") : "none"}
                  className="py-1"
                >
                  <button
                    type="button"
                    onClick={() => toggle(index)}
                    className="text-left font-sans text-[11px] font-semibold tracking-wide text-slate-600 hover:text-slate-900"
                  >
                    {column}
                    {sort?.column === index ? (sort.descending ? " ↓" : " ↑") : ""}
                  </button>
                </div>
              ))}
            </div>
          </div>
          <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualRows.map((virtualRow) => {
              const row = sorted[virtualRow.index];
              const cells = nameless(first) ? row.cells : [row.name, ...row.cells];
              const href = keyHref(base64ToBytes(row.keyBase64), { rev: revision });
              return (
                <div
                  key={row.keyBase64}
                  role="row"
                  aria-rowindex={virtualRow.index + 2}
                  className="absolute left-0 top-0 grid w-max min-w-full items-center gap-x-4 px-3 font-mono hover:bg-slate-50"
                  style={{ gridTemplateColumns: template, height: ROW_HEIGHT, transform: `translateY(${virtualRow.start}px)` }}
                >
                  {cells.map((cell, index) => (
                    <div key={index} role="cell" className="truncate" title={typeof cell === "string" ? cell : undefined}>
                      {index === 0 ? (
                        <KeyLink
                          href={href}
                          className="text-blue-800 hover:underline"
                          aria-label={nameless(first) ? `${formatCell(cell, clock)} ${row.name}` : undefined}
                        >
                          {formatCell(cell, clock)}
                        </KeyLink>
                      ) : (
                        formatCell(cell, clock)
                      )}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

/** Events have no NAME column in kubectl: their cells are all the columns, and the first links to the key. */
function nameless(first: FolderTable["first"]): boolean {
  return first?.columns[0] !== "NAME";
}
