"use client";

import Link from "next/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { keyHref } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";

// Every version of the key that etcd still has, newest first; a click shows the value as it was.

export function HistoryPane({ keyBytes, selectedRevision }: { keyBytes: Uint8Array; selectedRevision?: number }) {
  const query = useInfiniteQuery(keyQueries.history(keyBytes));
  if (query.isPending) return <Loading label="Reading history…" />;
  if (query.isError) return <ErrorPanel title="Could not read the history">{query.error.message}</ErrorPanel>;
  const items = query.data.pages.flatMap((page) => page.items);
  const compactRevision = query.data.pages.at(-1)?.compactRevision;
  // The version shown is the newest one at or before the selected revision.
  const selectedIndex = selectedRevision === undefined ? 0 : items.findIndex((item) => item.revision <= selectedRevision);

  return (
    <div className="text-sm">
      {items.length === 0 ? <p className="p-2 text-slate-500">etcd holds no history for this key.</p> : null}
      <ol aria-label="Revisions" className="space-y-0.5">
        {items.map((item, index) => {
          const isSelected = index === selectedIndex;
          return (
            <li key={`${item.revision}-${item.type}`}>
              <Link
                href={keyHref(keyBytes, { rev: index === 0 && item.type === "PUT" ? undefined : item.revision })}
                aria-current={isSelected ? "true" : undefined}
                className={`flex items-center gap-2 rounded px-2 py-1 ${isSelected ? "bg-blue-100" : "hover:bg-slate-100"}`}
              >
                <span className="w-20 font-mono">rev {item.revision}</span>
                {item.type === "DELETE" ? <Badge tone="red">DELETE</Badge> : <Badge tone="green">PUT</Badge>}
                <span className="text-xs text-slate-500">{item.type === "PUT" ? `v${item.version}` : "tombstone"}</span>
                <span className="ml-auto text-xs text-slate-500">{item.type === "PUT" ? `${item.size.toLocaleString()} B` : ""}</span>
              </Link>
            </li>
          );
        })}
      </ol>
      {query.hasNextPage ? (
        <button
          type="button"
          className="mt-2 text-xs font-medium text-blue-700 hover:underline"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? "Loading…" : "Show older revisions"}
        </button>
      ) : null}
      {compactRevision ? (
        <p className="mt-2 border-t border-slate-200 pt-2 text-xs text-slate-500">History before revision {compactRevision} was compacted.</p>
      ) : null}
    </div>
  );
}
