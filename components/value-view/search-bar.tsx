"use client";

import type { RefObject } from "react";
import type { TextSearch } from "./use-text-search";

// The large-value viewer's search box: Enter goes to the next match, Shift+Enter to the previous.

const BUTTON =
  "rounded px-2 py-0.5 text-xs font-medium bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100 disabled:opacity-50";

function describeMatches(search: TextSearch): string {
  if (search.query === "") return "";
  const { total, offsets } = search.matches;
  if (total === 0) return "No match";
  const kept = offsets.length < total ? ` (the first ${offsets.length.toLocaleString()} can be visited)` : "";
  return `${(search.current + 1).toLocaleString()} of ${total.toLocaleString()}${kept}`;
}

export function SearchBar({
  search,
  inputRef,
  label,
}: {
  search: TextSearch;
  inputRef: RefObject<HTMLInputElement | null>;
  label: string;
}) {
  const none = search.current < 0;
  return (
    <div role="search" aria-label={`Search the ${label}`} className="flex flex-wrap items-center gap-2">
      <input
        ref={inputRef}
        type="search"
        aria-label={`Search the ${label}`}
        placeholder="Search (ignores case)"
        value={search.query}
        onChange={(event) => search.setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          event.preventDefault();
          search.step(event.shiftKey ? -1 : 1);
        }}
        className="w-64 rounded border border-slate-300 bg-white px-2 py-0.5 font-mono text-xs"
      />
      <button type="button" className={BUTTON} disabled={none} onClick={() => search.step(-1)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" className={BUTTON} disabled={none} onClick={() => search.step(1)} aria-label="Next match">
        ↓
      </button>
      <span role="status" aria-live="polite" className="text-xs text-slate-600">
        {describeMatches(search)}
      </span>
    </div>
  );
}
