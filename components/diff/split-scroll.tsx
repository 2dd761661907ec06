"use client";

import { useCallback, useEffect, useMemo, useRef } from "react";
import { countWidestColumns } from "@/lib/text/columns";
import type { DiffLine } from "@/lib/diff/text";

// Sideways scrolling of the split diff. Both sides stay in one table, so a changed line and its
// counterpart stay on one row, and move by one shared offset (the --diff-x custom property every
// line cell is translated by): a scrollbar under each side sets it, and so does a sideways wheel
// or trackpad swipe over the table. The offset is applied through the CSSOM, with no re-render.

export type SplitScrollState = {
  table: React.RefObject<HTMLTableElement | null>;
  /** The widest line of either side, in monospace columns: how far the scrollbars reach. */
  columns: number;
  /** Registers the scrollbar of side `index` (0 older, 1 newer). */
  setBar: (index: number, element: HTMLDivElement | null) => void;
  /** Moves both sides to where `source`, one of the scrollbars, was scrolled. */
  follow: (source: HTMLDivElement) => void;
};

function textOf(line: DiffLine): string {
  return line.segments.map((segment) => segment.text).join("");
}

export function useSplitScroll(lines: readonly DiffLine[]): SplitScrollState {
  const table = useRef<HTMLTableElement>(null);
  const bars = useRef<(HTMLDivElement | null)[]>([]);
  const columns = useMemo(() => countWidestColumns(lines.map(textOf)), [lines]);

  const setBar = useCallback((index: number, element: HTMLDivElement | null) => {
    bars.current[index] = element;
  }, []);
  const follow = useCallback((source: HTMLDivElement) => {
    const offset = source.scrollLeft;
    table.current?.style.setProperty("--diff-x", `${-offset}px`);
    for (const bar of bars.current) if (bar && bar !== source && bar.scrollLeft !== offset) bar.scrollTo({ left: offset });
  }, []);

  useEffect(() => {
    const element = table.current;
    if (!element) return;
    // React's wheel listener is passive; a sideways swipe must not also move the page back a page.
    const onWheel = (event: WheelEvent) => {
      const bar = bars.current[0];
      if (!bar || Math.abs(event.deltaX) <= Math.abs(event.deltaY)) return;
      const before = bar.scrollLeft;
      bar.scrollLeft += event.deltaX;
      if (bar.scrollLeft !== before) event.preventDefault();
    };
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => element.removeEventListener("wheel", onWheel);
  }, []);

  return { table, columns, setBar, follow };
}

/** A scrollbar under each side, kept in view at the bottom of the pane while the diff is long. */
export function SplitScroll({ columns, setBar, follow }: Pick<SplitScrollState, "columns" | "setBar" | "follow">) {
  return (
    <div className="sticky bottom-0 grid grid-cols-2 bg-white font-mono text-[13px]">
      {(["older", "newer"] as const).map((side, index) => (
        <div key={side} className="min-w-0 pl-12">
          <div
            ref={(element) => setBar(index, element)}
            role="group"
            aria-label={`Scroll the ${side} side sideways`}
            tabIndex={0}
            onScroll={(event) => follow(event.currentTarget)}
            className="overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-400"
          >
            <div className="h-px" style={{ width: `calc(${columns}ch + 0.75rem)` }} />
          </div>
        </div>
      ))}
    </div>
  );
}
