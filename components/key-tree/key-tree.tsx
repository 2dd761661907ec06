"use client";

import { Link } from "@/components/ui/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import type { ChildDto } from "@/lib/api/dto";
import { ancestorLevels, base64ToBytes, bytesToBase64, bytesEqual, childLevel, keyHref } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";
import { Badge, Loading } from "@/components/ui/panels";
import { formatKeyCount, IndexingNotice, indexingOf, listingLabel } from "./level-status";

// The key tree, one lazily listed level per open folder. Levels page from the server (200 names a
// page) so a folder with thousands of children never arrives, or renders, at once. Folders show
// how many keys lie below them when the server's folder index knows (current revision).

type TreeState = {
  revision?: number;
  selectedKey: Uint8Array;
  isOpen: (prefix: Uint8Array) => boolean;
  toggle: (prefix: Uint8Array) => void;
};

export function KeyTree({ selectedKey, revision }: { selectedKey: Uint8Array; revision?: number }) {
  // The folders leading to the selected key are open unless the user closed them; anything else
  // is open when the user opened it. Derived, so navigating elsewhere needs no effect.
  const pathLevels = useMemo(
    () => new Set([...ancestorLevels(selectedKey), childLevel(selectedKey)].map(bytesToBase64)),
    [selectedKey],
  );
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

  const state: TreeState = { revision, selectedKey, isOpen, toggle };
  return (
    <nav aria-label="Key tree" className="p-2 text-sm">
      <ul role="tree" aria-label="Keys">
        <TreeLevel prefix={new Uint8Array(0)} state={state} depth={0} />
      </ul>
    </nav>
  );
}

function TreeLevel({ prefix, state, depth }: { prefix: Uint8Array; state: TreeState; depth: number }) {
  const query = useInfiniteQuery(keyQueries.children(prefix, state.revision));
  if (query.isPending) return <li role="none"><Loading label={listingLabel(state.revision)} /></li>;
  if (query.isError) {
    return (
      <li role="none" className="px-2 py-1 text-xs text-red-700">
        Could not list this level: {query.error.message}
      </li>
    );
  }
  const indexing = indexingOf(query.data.pages);
  if (indexing) return <li role="none"><IndexingNotice indexing={indexing} /></li>;
  const items = query.data.pages.flatMap((page) => page.items);
  return (
    <>
      {items.length === 0 && depth === 0 ? (
        <li role="none" className="px-2 py-1 text-xs text-slate-500">
          etcd holds no keys{state.revision ? ` at revision ${state.revision}` : ""}.
        </li>
      ) : null}
      {items.map((item) => (
        <TreeRow key={item.keyBase64 + (item.isKey ? "k" : "f")} item={item} state={state} depth={depth} />
      ))}
      {query.hasNextPage ? (
        <li role="none" style={{ paddingLeft: depth * 14 + 22 }}>
          <button
            type="button"
            className="my-1 text-xs font-medium text-blue-700 hover:underline disabled:text-slate-400"
            disabled={query.isFetchingNextPage}
            onClick={() => void query.fetchNextPage()}
          >
            {query.isFetchingNextPage ? "Loading…" : `Show more (${items.length} shown)`}
          </button>
        </li>
      ) : null}
    </>
  );
}

function labelOf(item: ChildDto, depth: number): string {
  if (item.name !== "") return item.name;
  return depth === 0 ? "/" : "(empty name)";
}

function TreeRow({ item, state, depth }: { item: ChildDto; state: TreeState; depth: number }) {
  const key = useMemo(() => base64ToBytes(item.keyBase64), [item.keyBase64]);
  const below = useMemo(() => childLevel(key), [key]);
  const expanded = item.hasChildren && state.isOpen(below);
  const selected = bytesEqual(key, state.selectedKey) && (item.isKey || item.hasChildren);
  const label = labelOf(item, depth);
  return (
    <li role="treeitem" aria-expanded={item.hasChildren ? expanded : undefined} aria-selected={selected} aria-label={label}>
      <div
        className={`flex items-center gap-1 rounded py-0.5 pr-1 ${selected ? "bg-blue-100" : "hover:bg-slate-100"}`}
        style={{ paddingLeft: depth * 14 }}
      >
        {item.hasChildren ? (
          <button
            type="button"
            aria-label={`${expanded ? "Collapse" : "Expand"} ${label}`}
            className="w-5 shrink-0 text-slate-500 hover:text-slate-900"
            onClick={() => state.toggle(below)}
          >
            {expanded ? "▾" : "▸"}
          </button>
        ) : (
          <span className="w-5 shrink-0 text-center text-slate-300">·</span>
        )}
        <Link
          href={keyHref(key, { rev: state.revision })}
          className={`min-w-0 truncate font-mono text-[13px] ${item.isKey ? "text-slate-900" : "text-slate-600"}`}
          title={item.key || "/"}
          onClick={() => {
            if (item.hasChildren && !expanded) state.toggle(below);
          }}
        >
          {label}
          {item.hasChildren && !item.isKey && label !== "/" ? "/" : ""}
        </Link>
        {item.isKey && item.hasChildren ? <Badge tone="blue">key + folder</Badge> : null}
        {item.keyCount !== undefined ? (
          <span className="ml-auto shrink-0 pl-1 text-[11px] tabular-nums text-slate-400">{formatKeyCount(item.keyCount)}</span>
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
