"use client";

import { createContext, useContext, useRef, type CSSProperties, type ReactNode, type RefObject } from "react";
import { PaneSeparator } from "@/components/ui/pane-separator";
import { usePaneWidths, type PaneWidths } from "./use-pane-widths";

// The explorer's three columns (tree | selected key | history) with a separator on either side of
// the middle one, so a person can give a diff the width it needs. The widths are kept per browser
// (use-pane-widths.ts); until one is set, each side column takes a fifth of the window (200 px to
// 22rem), which leaves a split diff about 30 columns a side on a 1024 px screen.

const MIN_SIDE = 160;
const MIN_MIDDLE = 360;
const WIDTH_VARIABLE = { tree: "--tree-width", history: "--history-width" } as const;

type Column = keyof PaneWidths;
type ColumnsContext = { grid: RefObject<HTMLDivElement | null>; setWidths: (change: PaneWidths) => void };

const Columns = createContext<ColumnsContext | null>(null);

// A width kept on a wide screen must not squeeze the middle column on a narrow one.
const cssWidth = (width: number) => `min(${width}px, 40vw)`;

export function ExplorerColumns({ children }: { children: ReactNode }) {
  const [widths, setWidths] = usePaneWidths();
  const grid = useRef<HTMLDivElement>(null);
  const style: CSSProperties | undefined =
    widths.tree || widths.history
      ? ({
          ...(widths.tree ? { [WIDTH_VARIABLE.tree]: cssWidth(widths.tree) } : {}),
          ...(widths.history ? { [WIDTH_VARIABLE.history]: cssWidth(widths.history) } : {}),
        } as CSSProperties)
      : undefined;
  return (
    <Columns.Provider value={{ grid, setWidths }}>
      <div
        ref={grid}
        style={style}
        className="grid h-full min-h-0 grid-cols-1 md:grid-cols-[var(--tree-width,clamp(200px,20vw,22rem))_auto_minmax(0,1fr)_auto_var(--history-width,clamp(200px,20vw,22rem))]"
      >
        {children}
      </div>
    </Columns.Provider>
  );
}

/** The separator beside a side column: after the tree, or before the history. */
export function ColumnSeparator({ column, controls }: { column: Column; controls?: string }) {
  const context = useContext(Columns);
  if (!context) throw new Error("ColumnSeparator belongs inside ExplorerColumns");
  const { grid, setWidths } = context;

  // The middle column keeps at least MIN_MIDDLE pixels beside the other side column.
  const max = () => {
    const element = grid.current;
    if (!element) return MIN_SIDE;
    const other = column === "tree" ? element.lastElementChild : element.firstElementChild;
    return Math.min(element.clientWidth - (other?.getBoundingClientRect().width ?? 0) - MIN_MIDDLE, 0.4 * window.innerWidth);
  };

  return (
    <PaneSeparator
      label={column === "tree" ? "Resize the key tree" : "Resize the history"}
      resizes={column === "tree" ? "previous" : "next"}
      controls={controls}
      min={MIN_SIDE}
      max={max}
      onResize={(width, final) => {
        if (final) setWidths({ [column]: width });
        else grid.current?.style.setProperty(WIDTH_VARIABLE[column], cssWidth(width));
      }}
    />
  );
}
