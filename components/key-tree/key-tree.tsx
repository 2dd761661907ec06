"use client";

import { KeyLink } from "./key-link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type RefObject } from "react";
import type { ChildDto } from "@/lib/api/dto";
import { ancestorLevels, base64ToBytes, bytesToBase64, bytesEqual, childLevel, isFragmentKeyHref, keyHref } from "@/lib/keys";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { keyQueries } from "@/lib/queries";
import { useLevelStats, type LevelStatsView } from "@/lib/queries/stats";
import { describeFigures } from "@/lib/text/figures";
import { Badge, Loading } from "@/components/ui/panels";
import { describeChildCount, IndexingNotice, indexingOf, listingLabel, SizingNotice } from "./level-status";
import { combineReadFrom, describeReadFrom, ReadFromNote } from "@/components/archive/read-from-note";

// The key tree, one lazily listed level per open folder. Levels page from the server (200 names a
// page) so a folder with thousands of children never arrives at once, and a level longer than a
// page is virtualized inside the tree's scroll box, fetching its next page as the user scrolls
// near its end, so it never renders at once either. Folders show how many keys lie below them
// when the server's folder index knows (current revision), and beside it the bytes of their
// values, their share of the keyspace and their writes per minute (GET /api/stats, paged along
// with the level).
// The keyboard follows the WAI-ARIA tree pattern: one row is tabbable (roving tabindex), arrows move
// between the rows on screen in document order, which is the tree's visible order; a virtualized
// level always renders a few rows past the viewport, so the next row exists to move to.

const ROW_HEIGHT = 24;
// Opening a key mounts a new page, and with it a new tree: the row Enter was pressed on is
// remembered here so the new tree gives it the focus back.
let rowToRefocus: string | null = null;
// Shorter levels render every row: cheap, and every row stays findable with the browser's search.
const WINDOWED_FROM_ROWS = 150;

type TreeState = {
  revision?: number;
  selectedKey: Uint8Array;
  isOpen: (prefix: Uint8Array) => boolean;
  toggle: (prefix: Uint8Array) => void;
  scroller: RefObject<HTMLElement | null>;
  /** The row that holds the tree's one tab stop, by rowKey; null: the selected row. */
  focusedRow: string | null;
  setFocusedRow: (id: string) => void;
  /** Opens a key's page and leaves the focus on the tree, as a keyboard user expects. */
  navigate: (href: string) => void;
};

export function KeyTree({ selectedKey, revision }: { selectedKey: Uint8Array; revision?: number }) {
  // The folders leading to the selected key are open unless the user closed them; anything else
  // is open when the user opened it. Derived, so navigating elsewhere needs no effect.
  const pathLevels = useMemo(() => new Set([...ancestorLevels(selectedKey), childLevel(selectedKey)].map(bytesToBase64)), [selectedKey]);
  const [toggled, setToggled] = useState<ReadonlyMap<string, boolean>>(() => new Map());
  const isOpen = useCallback(
    (prefix: Uint8Array) => {
      const id = bytesToBase64(prefix);
      return toggled.get(id) ?? pathLevels.has(id);
    },
    [toggled, pathLevels],
  );
  const toggle = useCallback(
    (prefix: Uint8Array) => {
      const id = bytesToBase64(prefix);
      setToggled((current) => new Map(current).set(id, !(current.get(id) ?? pathLevels.has(id))));
    },
    [pathLevels],
  );

  const scroller = useRef<HTMLElement>(null);
  const [focusedRow, setFocusedRow] = useState<string | null>(() => rowToRefocus);
  const router = useClusterRouter();
  // The router's default moves scroll and focus to the new page; here the tree keeps both.
  const navigate = useCallback((href: string) => router.push(href, { scroll: false }), [router]);
  const state: TreeState = { revision, selectedKey, isOpen, toggle, scroller, focusedRow, setFocusedRow, navigate };
  return (
    <nav ref={scroller} aria-label="Key tree" className="h-full overflow-auto p-2 text-sm">
      <ul role="tree" aria-label="Keys">
        <TreeLevel prefix={new Uint8Array(0)} state={state} depth={0} />
      </ul>
    </nav>
  );
}

function TreeLevel({ prefix, state, depth }: { prefix: Uint8Array; state: TreeState; depth: number }) {
  const cluster = useClusterName();
  const query = useInfiniteQuery(keyQueries.children(cluster, prefix, state.revision));
  // Figures exist at the current revision only, once the level lists.
  const listed = query.isSuccess && !indexingOf(query.data.pages);
  const stats = useLevelStats(cluster, prefix, query.data?.pages.length ?? 0, listed && state.revision === undefined);
  if (query.isPending)
    return (
      <li role="none">
        <Loading label={listingLabel(state.revision)} />
      </li>
    );
  if (query.isError) {
    return (
      <li role="none" className="px-2 py-1 text-xs text-red-700">
        Could not list this level: {query.error.message}
      </li>
    );
  }
  const indexing = indexingOf(query.data.pages);
  if (indexing)
    return (
      <li role="none">
        <IndexingNotice indexing={indexing} />
      </li>
    );
  const items = query.data.pages.flatMap((page) => page.items);
  // At a revision etcd has compacted the tree comes from the archive: the root level says so once.
  const readFrom = depth === 0 ? combineReadFrom(query.data.pages.flatMap((page) => (page.readFrom ? [page.readFrom] : []))) : undefined;
  const sizing = depth === 0 && stats.sizing?.state === "sizing" ? stats.sizing : undefined;
  const note =
    describeReadFrom(readFrom) || sizing ? (
      <li role="none">
        {describeReadFrom(readFrom) ? <ReadFromNote readFrom={readFrom} className="px-2 pb-1" /> : null}
        {sizing ? <SizingNotice sizing={sizing} /> : null}
      </li>
    ) : null;
  if (query.hasNextPage || items.length > WINDOWED_FROM_ROWS) {
    return (
      <>
        {note}
        <WindowedRows
          items={items}
          state={state}
          stats={stats}
          depth={depth}
          hasNextPage={query.hasNextPage}
          isFetchingNextPage={query.isFetchingNextPage}
          fetchNextPage={query.fetchNextPage}
        />
      </>
    );
  }
  return (
    <>
      {note}
      {items.length === 0 && depth === 0 ? (
        <li role="none" className="px-2 py-1 text-xs text-slate-500">
          {readFrom?.source === "archive" ? "The archive holds" : "etcd holds"} no keys
          {state.revision ? ` at revision ${state.revision}` : ""}.
        </li>
      ) : null}
      {items.map((item) => (
        <TreeRow key={rowKey(item)} item={item} state={state} stats={stats} depth={depth} />
      ))}
    </>
  );
}

const rowKey = (item: ChildDto) => item.keyBase64 + (item.isKey ? "k" : "f");

/**
 * Where `element` starts inside the scroll box's content: the virtualizer's scroll margin. It
 * moves whenever something above it opens, closes or grows, all of which resize the tree.
 */
function useOffsetWithin(element: RefObject<HTMLElement | null>, scroller: RefObject<HTMLElement | null>): number {
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const box = scroller.current;
    const content = box?.firstElementChild;
    if (!box || !content) return;
    // Called once when observing starts, then on every resize of the tree.
    const observer = new ResizeObserver(() => {
      if (!element.current) return;
      const next = element.current.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
      setOffset((current) => (Math.abs(current - next) < 0.5 ? current : next));
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [element, scroller]);
  return offset;
}

function WindowedRows({
  items,
  state,
  stats,
  depth,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  items: ChildDto[];
  state: TreeState;
  stats: LevelStatsView;
  depth: number;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}) {
  const container = useRef<HTMLLIElement>(null);
  const offset = useOffsetWithin(container, state.scroller);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => state.scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
    scrollMargin: offset,
    getItemKey: (index) => rowKey(items[index]),
  });
  const rows = virtualizer.getVirtualItems();
  const lastRow = rows.at(-1);
  // The next page is wanted when the level's loaded end is near the viewport, not when the user
  // has scrolled past the whole level (its last rows are then "in range" too, above the viewport).
  const nearLoadedEnd = lastRow !== undefined && lastRow.index >= items.length - 30 && lastRow.end >= (virtualizer.scrollOffset ?? 0);

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && nearLoadedEnd) void fetchNextPage();
  }, [nearLoadedEnd, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <li role="none" ref={container}>
      <ul role="none" className="relative" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => (
          <TreeRow
            key={row.key}
            item={items[row.index]}
            state={state}
            stats={stats}
            depth={depth}
            placement={{
              index: row.index,
              setSize: hasNextPage ? -1 : items.length,
              measure: virtualizer.measureElement,
              style: { position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${row.start - offset}px)` },
            }}
          />
        ))}
      </ul>
      {hasNextPage ? (
        <p role="status" className="px-2 py-1 text-xs text-slate-500" style={{ paddingLeft: depth * 14 + 22 }}>
          {items.length.toLocaleString()} shown{isFetchingNextPage ? ", loading more…" : "; scroll for more"}
        </p>
      ) : null}
    </li>
  );
}

/** Focuses a row and scrolls its own line (not its open children) into view. */
function focusRow(row: Element | null | undefined) {
  if (!(row instanceof HTMLElement)) return;
  row.focus({ preventScroll: true });
  row.firstElementChild?.scrollIntoView({ block: "nearest" });
}

/** After a jump to the top or bottom of the scroll box, the rows there render a frame or two later. */
function focusAfterScroll(scroller: HTMLElement | null, toEnd: boolean) {
  if (!scroller) return;
  scroller.scrollTop = toEnd ? scroller.scrollHeight : 0;
  const pick = () => {
    const rows = scroller.querySelectorAll('[role="treeitem"]');
    focusRow(toEnd ? rows[rows.length - 1] : rows[0]);
  };
  requestAnimationFrame(() => requestAnimationFrame(pick));
}

function labelOf(item: ChildDto, depth: number): string {
  if (item.name !== "") return item.name;
  return depth === 0 ? "/" : "(empty name)";
}

/** Where a row of a virtualized level sits: its index, the level's size (-1: not all loaded yet). */
type RowPlacement = { index: number; setSize: number; measure: (element: Element | null) => void; style: CSSProperties };

function TreeRow({
  item,
  state,
  stats,
  depth,
  placement,
}: {
  item: ChildDto;
  state: TreeState;
  stats: LevelStatsView;
  depth: number;
  placement?: RowPlacement;
}) {
  const key = useMemo(() => base64ToBytes(item.keyBase64), [item.keyBase64]);
  const below = useMemo(() => childLevel(key), [key]);
  const expanded = item.hasChildren && state.isOpen(below);
  const selected = bytesEqual(key, state.selectedKey) && (item.isKey || item.hasChildren);
  const label = labelOf(item, depth);
  const href = keyHref(key, { rev: state.revision });
  const id = rowKey(item);
  const element = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (rowToRefocus !== id) return;
    rowToRefocus = null;
    focusRow(element.current);
  }, [id]);
  const measure = placement?.measure;
  const setElement = useCallback(
    (li: HTMLLIElement | null) => {
      element.current = li;
      measure?.(li);
    },
    [measure],
  );
  const tabbable = state.focusedRow === null ? selected : state.focusedRow === id;
  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>) => {
    const row = event.currentTarget;
    // Keys pressed on a row inside an open folder bubble through the folder's row too.
    if (event.target !== row || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = () => Array.from(row.closest('[role="tree"]')?.querySelectorAll('[role="treeitem"]') ?? []);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const all = rows();
      focusRow(all[all.indexOf(row) + (event.key === "ArrowDown" ? 1 : -1)]);
    } else if (event.key === "ArrowRight") {
      if (!item.hasChildren) return;
      if (!expanded) state.toggle(below);
      else focusRow(row.querySelector('[role="group"] [role="treeitem"]'));
    } else if (event.key === "ArrowLeft") {
      if (expanded) state.toggle(below);
      else focusRow(row.parentElement?.closest('[role="treeitem"]'));
    } else if (event.key === "Enter") {
      // A key named in the fragment opens through its plain anchor (see KeyLink).
      if (isFragmentKeyHref(href)) row.querySelector<HTMLElement>(":scope > div a")?.click();
      else {
        if (item.hasChildren && !expanded) state.toggle(below);
        // The selected row's own page stays mounted, and keeps its focus.
        if (!selected) rowToRefocus = id;
        state.navigate(href);
      }
    } else if (event.key === "Home" || event.key === "End") {
      focusAfterScroll(state.scroller.current, event.key === "End");
    } else return;
    event.preventDefault();
  };
  const count = describeChildCount(item);
  const figuresOf = stats.byKey.get(item.keyBase64);
  const figures = figuresOf ? describeFigures(figuresOf, stats.keyspaceBytes) : undefined;
  return (
    <li
      role="treeitem"
      tabIndex={tabbable ? 0 : -1}
      className="outline-none [&:focus-visible>div]:ring-2 [&:focus-visible>div]:ring-blue-500"
      onKeyDown={onKeyDown}
      onFocus={(event) => {
        if (event.target === event.currentTarget) state.setFocusedRow(id);
      }}
      aria-expanded={item.hasChildren ? expanded : undefined}
      aria-selected={selected}
      aria-label={label}
      ref={setElement}
      data-index={placement?.index}
      aria-posinset={placement ? placement.index + 1 : undefined}
      aria-setsize={placement?.setSize}
      style={placement?.style}
    >
      <div
        className={`flex items-center gap-1 rounded py-0.5 pr-1 ${selected ? "bg-blue-100" : "hover:bg-slate-100"}`}
        style={{ paddingLeft: depth * 14 }}
      >
        {item.hasChildren ? (
          <button
            type="button"
            tabIndex={-1}
            aria-label={`${expanded ? "Collapse" : "Expand"} ${label}`}
            className="w-5 shrink-0 text-slate-500 hover:text-slate-900"
            onClick={() => state.toggle(below)}
          >
            {expanded ? "▾" : "▸"}
          </button>
        ) : (
          <span className="w-5 shrink-0 text-center text-slate-300">·</span>
        )}
        <KeyLink
          href={href}
          tabIndex={-1}
          className={`min-w-0 truncate font-mono text-[13px] ${item.isKey ? "text-slate-900" : "text-slate-600"}`}
          title={item.key || "/"}
          onClick={() => {
            if (item.hasChildren && !expanded) state.toggle(below);
          }}
        >
          {label}
          {item.hasChildren && !item.isKey && label !== "/" ? "/" : ""}
        </KeyLink>
        {item.isKey && item.hasChildren ? <Badge tone="blue">key + folder</Badge> : null}
        {count ? (
          <span className="ml-auto shrink-0 pl-1 text-[11px] tabular-nums text-slate-400" title={count.title}>
            {count.text}
          </span>
        ) : null}
        {figures ? (
          // In a narrow tree the figures give way before the name does (the tooltip keeps them whole).
          <span
            className={`${count ? "" : "ml-auto "}min-w-0 truncate pl-1 text-[11px] tabular-nums text-slate-400`}
            style={{ flexShrink: 8 }}
            title={figures.title}
          >
            {count ? "· " : ""}
            {figures.text}
          </span>
        ) : null}
      </div>
      {expanded ? (
        <ul role="group">
          <TreeLevel prefix={below} state={state} depth={depth + 1} />
        </ul>
      ) : null}
    </li>
  );
}
