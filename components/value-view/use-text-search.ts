"use client";

import { useDeferredValue, useMemo, useState } from "react";
import { findMatches, type TextMatches } from "@/lib/text/search";

// The state of a search box over one text: the query, its matches, and which one is current.

export type TextSearch = {
  query: string;
  setQuery: (query: string) => void;
  matches: TextMatches;
  /** The length of the query the matches are of (it lags the typed query by a render at most). */
  matchLength: number;
  /** The index of the current match in `matches.offsets`; -1 when there is none. */
  current: number;
  /** Moves to the next match (or the previous one with -1), wrapping around at either end. */
  step: (direction: 1 | -1) => void;
};

export function useTextSearch(text: string): TextSearch {
  const [query, setQuery] = useState("");
  // A megabyte is scanned in a few milliseconds, but typing stays ahead of it when it is not.
  const searched = useDeferredValue(query);
  const matches = useMemo(() => findMatches(text, searched), [text, searched]);
  const [position, setPosition] = useState<{ matches: TextMatches; index: number }>({ matches, index: 0 });
  const index = position.matches === matches ? position.index : 0;
  const count = matches.offsets.length;

  return {
    query,
    setQuery,
    matches,
    matchLength: searched.length,
    current: count === 0 ? -1 : index,
    step: (direction) => {
      if (count > 0) setPosition({ matches, index: (index + direction + count) % count });
    },
  };
}
