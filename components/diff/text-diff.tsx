"use client";

import { useMemo, useState } from "react";
import {
  diffText,
  foldUnchanged,
  toSplitRows,
  countChangedLines,
  type DiffLine,
  type Folded,
  type Segment,
  type SplitRow,
} from "@/lib/diff/text";
import { buildHunks } from "@/lib/diff/hunks";
import { SplitScroll, useSplitScroll } from "./split-scroll";
import type { DiffLayout } from "./view-state";

// The line diff of two renderings. Changed words inside a changed line are <del>/<ins>, so they
// are announced as deletions and insertions; long unchanged runs are folded and can be opened.
// Lines never wrap: a uid or an image name stays one token, and the text scrolls sideways.

export function TextDiff({
  oldText,
  newText,
  layout,
  fromLabel,
  toLabel,
}: {
  oldText: string;
  newText: string;
  layout: DiffLayout;
  fromLabel: string;
  toLabel: string;
}) {
  const lines = useMemo(() => diffText(oldText, newText), [oldText, newText]);
  const counts = countChangedLines(lines);
  if (counts.added === 0 && counts.removed === 0)
    return <p className="rounded border border-slate-200 bg-white p-3 text-sm text-slate-500">The two renderings are identical.</p>;
  return (
    <div className="space-y-1">
      <p className="text-xs text-slate-500">
        <span className="text-emerald-700">+{counts.added}</span> <span className="text-red-700">−{counts.removed}</span> lines
      </p>
      {layout === "split" ? <SplitTable lines={lines} fromLabel={fromLabel} toLabel={toLabel} /> : <UnifiedTable lines={lines} />}
    </div>
  );
}

function Segments({ segments, tone }: { segments: Segment[]; tone: "removed" | "added" | "same" }) {
  return (
    <>
      {segments.map((segment, index) =>
        !segment.changed || tone === "same" ? (
          <span key={index}>{segment.text}</span>
        ) : tone === "removed" ? (
          <del key={index} className="rounded-sm bg-red-200 no-underline">
            {segment.text}
          </del>
        ) : (
          <ins key={index} className="rounded-sm bg-emerald-200 no-underline">
            {segment.text}
          </ins>
        ),
      )}
    </>
  );
}

const ROW_TONE = { same: "", removed: "bg-red-50", added: "bg-emerald-50" } as const;
const MARKER = { same: " ", removed: "-", added: "+" } as const;

function useFolds<T>(rows: T[], isChange: (row: T) => boolean) {
  const [opened, setOpened] = useState<Set<number>>(new Set());
  const folded = useMemo(() => foldUnchanged(rows, isChange), [rows, isChange]);
  const expanded = useMemo(() => {
    const out: Folded<T>[] = [];
    for (const item of folded) {
      if ("fold" in item && opened.has(item.from)) for (let k = 0; k < item.fold; k++) out.push({ row: rows[item.from + k] });
      else out.push(item);
    }
    return out;
  }, [folded, opened, rows]);
  return { items: expanded, open: (from: number) => setOpened((current) => new Set(current).add(from)) };
}

function FoldRow({ count, colSpan, onOpen }: { count: number; colSpan: number; onOpen: () => void }) {
  return (
    <tr>
      <td colSpan={colSpan} className="bg-slate-50 px-2 py-0.5 text-center">
        <button type="button" onClick={onOpen} className="text-xs text-blue-700 hover:underline">
          Show {count} unchanged line{count === 1 ? "" : "s"}
        </button>
      </td>
    </tr>
  );
}

const isChangedRow = (row: SplitRow) => row.left?.kind !== "same" || row.right?.kind !== "same";

/** `git diff`: hunks under their `@@ -old +new @@` header, -/+ prefixes, three lines of context. */
function UnifiedTable({ lines }: { lines: DiffLine[] }) {
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const items = useMemo(() => buildHunks(lines, opened), [lines, opened]);
  return (
    <div className="overflow-auto rounded border border-slate-200 bg-white">
      <table aria-label="Unified diff" className="w-full border-collapse font-mono text-[13px] leading-5">
        {items.map((item) =>
          "gap" in item ? (
            <tbody key={`gap-${item.gap.from}`}>
              <FoldRow count={item.gap.count} colSpan={4} onOpen={() => setOpened((current) => new Set(current).add(item.gap.from))} />
            </tbody>
          ) : (
            <tbody key={`hunk-${item.hunk.from}`}>
              <tr>
                <th scope="rowgroup" colSpan={4} className="bg-sky-50 px-2 text-left font-normal whitespace-pre text-sky-800">
                  {item.hunk.header}
                </th>
              </tr>
              {item.hunk.lines.map((line, index) => (
                <tr key={index} className={ROW_TONE[line.kind]}>
                  <td className="w-10 select-none px-1 text-right text-slate-400">{line.oldNumber ?? ""}</td>
                  <td className="w-10 select-none px-1 text-right text-slate-400">{line.newNumber ?? ""}</td>
                  <td className="w-4 select-none text-center text-slate-500" aria-hidden="true">
                    {MARKER[line.kind]}
                  </td>
                  <td className="whitespace-pre pr-3">
                    <Segments segments={line.segments} tone={line.kind} />
                  </td>
                </tr>
              ))}
            </tbody>
          ),
        )}
      </table>
    </div>
  );
}

function SplitTable({ lines, fromLabel, toLabel }: { lines: DiffLine[]; fromLabel: string; toLabel: string }) {
  const rows = useMemo(() => toSplitRows(lines), [lines]);
  const { items, open } = useFolds(rows, isChangedRow);
  const { table, columns, setBar, follow } = useSplitScroll(lines);
  const side = (line: DiffLine | undefined, number: number | undefined) => (
    <>
      <td className={`w-10 select-none px-1 text-right text-slate-400 ${line ? ROW_TONE[line.kind] : "bg-slate-50"}`}>{number ?? ""}</td>
      <td className={line ? ROW_TONE[line.kind] : "bg-slate-50"}>
        {/* Clipped to its column and moved by the shared sideways offset (split-scroll.tsx). */}
        <div className="overflow-hidden">
          <div className="w-max whitespace-pre pr-3 [translate:var(--diff-x,0px)_0]">
            {line ? <Segments segments={line.segments} tone={line.kind} /> : null}
          </div>
        </div>
      </td>
    </>
  );
  return (
    <div className="rounded border border-slate-200 bg-white">
      <table ref={table} aria-label="Split diff" className="w-full table-fixed border-collapse font-mono text-[13px] leading-5">
        <colgroup>
          <col className="w-12" />
          <col />
          <col className="w-12" />
          <col />
        </colgroup>
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs text-slate-500">
            <th colSpan={2} className="px-2 py-1 font-medium">
              {fromLabel}
            </th>
            <th colSpan={2} className="px-2 py-1 font-medium">
              {toLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, index) =>
            "fold" in item ? (
              <FoldRow key={`fold-${item.from}`} count={item.fold} colSpan={4} onOpen={() => open(item.from)} />
            ) : (
              <tr key={index}>
                {side(item.row.left, item.row.left?.oldNumber)}
                {side(item.row.right, item.row.right?.newNumber)}
              </tr>
            ),
          )}
        </tbody>
      </table>
      <SplitScroll columns={columns} setBar={setBar} follow={follow} />
    </div>
  );
}
