"use client";

import { KeyLink } from "@/components/key-tree/key-link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { useDebounced } from "@/components/ui/use-debounced";
import { base64ToBytes, childLevel, keyHref, keyToDisplay } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";
import { useLevelStats, type LevelStatsView } from "@/lib/queries/stats";
import { describeFigures } from "@/lib/text/figures";
import type { ChildDto } from "@/lib/api/dto";
import { Badge, ErrorPanel, Loading, NoticePanel } from "@/components/ui/panels";
import { describeChildCount, IndexingNotice, indexingOf, SizingNotice } from "@/components/key-tree/level-status";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { FolderViewSwitch, useTableView } from "@/components/kube-table/folder-view-switch";
import { KubeTable } from "@/components/kube-table/kube-table";
import { ExportLinks } from "@/components/export/export-links";
import { Link } from "@/components/ui/link";
import { searchPageHref } from "@/lib/queries/search";

// Shown when the path is a folder and not a key: its children, virtualized and paged from the
// server as the user scrolls, so a folder of any size opens at once. When the path is neither a
// key nor a folder, it says so (the 404 view). At the current revision each child shows its key
// count, the bytes of its values, their share of the keyspace and its writes per minute.

const ROW_HEIGHT = 28;

export function FolderOrMissing({ keyBytes, revision }: { keyBytes: Uint8Array; revision?: number }) {
  const prefix = childLevel(keyBytes);
  const [filter, setFilter] = useState("");
  const contains = useDebounced(filter, 200);
  const cluster = useClusterName();
  const base = useInfiniteQuery(keyQueries.children(cluster, prefix, revision));
  const filtered = useInfiniteQuery({ ...keyQueries.children(cluster, prefix, revision, contains), enabled: contains !== "" });
  // Figures follow the unfiltered listing's pages; a filtered row shows them once its page is loaded there.
  const listed = base.isSuccess && !indexingOf(base.data.pages) && base.data.pages[0]?.items.length > 0;
  const stats = useLevelStats(cluster, prefix, base.data?.pages.length ?? 0, listed && revision === undefined);
  // The unfiltered listing says whether the folder exists; the filter only narrows what is shown.
  const query = contains ? filtered : base;
  const scroller = useRef<HTMLDivElement>(null);
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  // Keys of one Kubernetes resource can also be read as kubectl get prints them.
  const tableView = useTableView(prefix, revision, base.data?.pages[0]?.items, base.dataUpdatedAt);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastShown = virtualItems.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastShown >= items.length - 20) void fetchNextPage();
  }, [lastShown, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (base.isPending) {
    return (
      <Loading
        label={
          revision
            ? `Looking for this key at revision ${revision}: read from etcd directly, large folders take a while…`
            : "Looking for this key…"
        }
      />
    );
  }
  if (base.isError) return <ErrorPanel title="Could not list this folder">{base.error.message}</ErrorPanel>;
  const indexing = indexingOf(base.data.pages);
  if (indexing) return <IndexingNotice indexing={indexing} />;
  if (base.data.pages[0]?.items.length === 0) {
    return (
      <NoticePanel title="No such key">
        There is no key <code className="font-mono">{keyToDisplay(keyBytes)}</code>
        {revision ? ` at revision ${revision}` : " at the current revision"}, and no keys below it.
      </NoticePanel>
    );
  }
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <p className="text-sm text-slate-600">
          A folder: no key has this exact name. {items.length.toLocaleString()}
          {hasNextPage ? "+" : ""} {contains ? "matching entries" : "entries below it"}.
        </p>
        <input
          aria-label="Filter this folder"
          placeholder="Filter by name…"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          className="w-56 rounded border border-slate-300 px-2 py-0.5 text-sm"
        />
        {contains && (query.isFetching || hasNextPage) ? <span className="text-xs text-slate-500">searching…</span> : null}
        <Link
          href={searchPageHref({ prefix: new TextDecoder().decode(prefix), rev: revision })}
          className="text-sm text-blue-800 hover:underline"
        >
          Search in this folder
        </Link>
        <Link
          href={`/deleted?${new URLSearchParams({ prefix: new TextDecoder().decode(prefix) }).toString()}`}
          className="text-sm text-blue-800 hover:underline"
        >
          deleted here…
        </Link>
        <FolderViewSwitch view={tableView} filtering={contains !== ""} />
        {stats.sizing?.state === "sizing" ? <SizingNotice sizing={stats.sizing} /> : null}
        <ExportLinks scope={{ prefix }} revision={revision} />
      </div>
      {tableView.shown && !contains ? (
        <KubeTable table={tableView.table} revision={revision} />
      ) : (
        <div
          ref={scroller}
          role="list"
          aria-label="Folder contents"
          className="h-[65vh] overflow-auto rounded border border-slate-200 bg-white"
        >
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualItems.map((row) => {
              const item = items[row.index];
              const key = base64ToBytes(item.keyBase64);
              return (
                <div
                  key={row.key}
                  role="listitem"
                  className="absolute left-0 top-0 flex w-full items-center gap-2 px-3"
                  style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                >
                  <KeyLink className="truncate font-mono text-[13px] text-blue-800 hover:underline" href={keyHref(key, { rev: revision })}>
                    {item.name || "(empty name)"}
                    {item.hasChildren && !item.isKey ? "/" : ""}
                  </KeyLink>
                  {item.isKey && item.hasChildren ? <Badge tone="blue">key + folder</Badge> : null}
                  <ChildFigures item={item} stats={stats} />
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}

function ChildFigures({ item, stats }: { item: ChildDto; stats: LevelStatsView }) {
  const count = describeChildCount(item);
  const figuresOf = stats.byKey.get(item.keyBase64);
  const figures = figuresOf ? describeFigures(figuresOf, stats.keyspaceBytes) : undefined;
  return (
    <>
      {count ? (
        <span className="ml-auto shrink-0 text-xs tabular-nums text-slate-500" title={count.title}>
          {count.text}
        </span>
      ) : null}
      {figures ? (
        <span className={`${count ? "" : "ml-auto "}shrink-0 text-xs tabular-nums text-slate-500`} title={figures.title}>
          {count ? "· " : ""}
          {figures.text}
        </span>
      ) : null}
    </>
  );
}
