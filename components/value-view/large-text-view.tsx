"use client";

import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { countColumns, countWidestColumns } from "@/lib/text/columns";
import { findLineStarts, lineAt } from "@/lib/text/search";
import { SearchBar } from "./search-bar";
import { useTextSearch } from "./use-text-search";

// A long text (a 1.5 MiB ConfigMap, a big JSON document) with every line in the page, so the
// browser's find sees all of it; Ctrl+A in the viewer then Ctrl+C copy all of it. Lines are in
// blocks with `content-visibility: auto`: the browser lays out and paints only the blocks near
// the screen, and each skipped block keeps its exact height (lines × line height), so the
// scrollbar is right without measuring. The block is as wide as the widest line (counted in
// columns), since a skipped block has no width of its own and clips what overflows it. Line
// numbers are CSS generated content: never found, selected or copied.

const BLOCK_LINES = 200;
const LINE_HEIGHT = 20;
// The line numbers' padding (px-3 on both sides) and the text's right padding (pr-3), in rem.
const NUMBERS_PADDING_REM = 1.5;
const EXTRA_REM = 2.25;
// The CSS Custom Highlight name the matches are painted with (see the ::highlight class below).
const HIGHLIGHT = "value-search";
// Painting a range per match costs the DOM a live Range each: beyond this many, only the matches
// in the blocks around the current one are painted.
const MAX_PAINTED = 2_000;
const PAINTED_BLOCKS_AROUND = 3;

type Block = { firstLine: number; start: number; text: string; lines: number; numbers: string };

function splitBlocks(text: string, lineStarts: readonly number[]): Block[] {
  const blocks: Block[] = [];
  for (let first = 0; first < lineStarts.length; first += BLOCK_LINES) {
    const last = Math.min(first + BLOCK_LINES, lineStarts.length);
    const start = lineStarts[first];
    const end = last < lineStarts.length ? lineStarts[last] - 1 : text.length;
    const numbers = Array.from({ length: last - first }, (_, k) => first + k + 1).join("\n");
    blocks.push({ firstLine: first, start, text: text.slice(start, end), lines: last - first, numbers });
  }
  return blocks;
}

/** Whether `range` holds everything inside `root`: the whole value is selected. */
function coversAll(range: Range, root: Node): boolean {
  const all = document.createRange();
  all.selectNodeContents(root);
  return range.compareBoundaryPoints(Range.START_TO_START, all) <= 0 && range.compareBoundaryPoints(Range.END_TO_END, all) >= 0;
}

/** A DOM range over characters `from`–`to` of the text inside `element` (split by a <mark> or not). */
function rangeOver(element: Element, from: number, to: number): Range | null {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  let started = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.textContent?.length ?? 0;
    if (!started && from <= seen + length) {
      range.setStart(node, from - seen);
      started = true;
    }
    if (started && to <= seen + length) {
      range.setEnd(node, to - seen);
      return range;
    }
    seen += length;
  }
  return null;
}

const TextBlock = memo(function TextBlock({ block, gutter, mark }: { block: Block; gutter: number; mark?: [number, number] }) {
  return (
    <div className="flex [content-visibility:auto]" style={{ containIntrinsicSize: `auto ${block.lines * LINE_HEIGHT}px` }}>
      <span
        aria-hidden="true"
        data-numbers={block.numbers}
        className="sticky left-0 shrink-0 select-none whitespace-pre bg-white px-3 text-right text-slate-400 before:content-[attr(data-numbers)]"
        style={{ width: `calc(${gutter}ch + ${NUMBERS_PADDING_REM}rem)` }}
      />
      <pre className="m-0 whitespace-pre pr-3 font-mono group-data-[selected]:bg-blue-100 [&::highlight(value-search)]:bg-amber-200">
        {mark ? (
          <>
            {block.text.slice(0, mark[0])}
            <mark className="rounded-sm bg-amber-400 text-slate-900">{block.text.slice(mark[0], mark[1])}</mark>
            {block.text.slice(mark[1])}
          </>
        ) : (
          block.text
        )}
      </pre>
    </div>
  );
});

export function LargeTextView({ text, lines, label }: { text: string; lines: readonly string[]; label: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const lineStarts = useMemo(() => findLineStarts(text), [text]);
  const blocks = useMemo(() => splitBlocks(text, lineStarts), [text, lineStarts]);
  const columns = useMemo(() => countWidestColumns(lines), [lines]);
  const gutter = String(lineStarts.length).length;
  const search = useTextSearch(text);
  const { offsets } = search.matches;
  const currentIndex = search.current;
  const length = search.matchLength;

  const currentOffset = search.current < 0 ? undefined : offsets[search.current];
  const currentLine = currentOffset === undefined ? -1 : lineAt(lineStarts, currentOffset);
  const currentBlock = currentLine < 0 ? -1 : Math.floor(currentLine / BLOCK_LINES);
  const mark: [number, number] | undefined =
    currentOffset === undefined
      ? undefined
      : [currentOffset - blocks[currentBlock].start, currentOffset - blocks[currentBlock].start + length];

  // Brings the current match to the middle of the viewer, and sideways past the line numbers. A
  // skipped block's inside has no fresh layout to measure, so the place is found by arithmetic:
  // every line is LINE_HEIGHT high and every column one `ch` wide.
  useLayoutEffect(() => {
    const view = scroller.current;
    const inner = content.current;
    const block = inner?.children[currentBlock] as HTMLElement | undefined;
    if (!view || !inner || !block || currentOffset === undefined) return;
    // The viewer is `relative`, so a block's offsetTop counts from the viewer's top.
    view.scrollTop = block.offsetTop + (currentLine - currentBlock * BLOCK_LINES) * LINE_HEIGHT - view.clientHeight / 2;
    if (inner.offsetWidth <= view.clientWidth) return;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const ch = (inner.offsetWidth - EXTRA_REM * rem) / (gutter + columns);
    const numbersWidth = gutter * ch + NUMBERS_PADDING_REM * rem;
    const left = numbersWidth + countColumns(text.slice(lineStarts[currentLine], currentOffset)) * ch;
    const right = left + countColumns(text.slice(currentOffset, currentOffset + length)) * ch;
    if (left < view.scrollLeft + numbersWidth || right > view.scrollLeft + view.clientWidth)
      view.scrollLeft = left - numbersWidth - view.clientWidth / 3;
  }, [currentOffset, currentLine, currentBlock, length, text, lineStarts, gutter, columns]);

  // Paints the other matches with the CSS Custom Highlight API, which needs no element per match.
  useEffect(() => {
    const registry = typeof CSS !== "undefined" && "highlights" in CSS ? CSS.highlights : undefined;
    const root = content.current;
    if (!registry || !root) return;
    const ranges: Range[] = [];
    const near = (block: number) => offsets.length <= MAX_PAINTED || Math.abs(block - currentBlock) <= PAINTED_BLOCKS_AROUND;
    offsets.forEach((offset, index) => {
      if (index === currentIndex) return;
      const blockIndex = Math.floor(lineAt(lineStarts, offset) / BLOCK_LINES);
      if (!near(blockIndex)) return;
      const pre = root.children[blockIndex]?.querySelector("pre");
      const from = offset - blocks[blockIndex].start;
      const range = pre ? rangeOver(pre, from, from + length) : null;
      if (range) ranges.push(range);
    });
    registry.set(HIGHLIGHT, new Highlight(...ranges));
    return () => {
      registry.delete(HIGHLIGHT);
    };
  }, [offsets, length, currentIndex, currentBlock, lineStarts, blocks]);

  // Select-all in the viewer selects the value, not the page around it. It is a state rather than
  // a DOM selection: selecting every block makes the browser lay out all of them (1.2–2.7 s for
  // the demo's 1.3 MB), while copying needs only the text, which the copy handler has.
  const [allSelected, setAllSelected] = useState(false);
  useEffect(() => {
    if (!allSelected) return;
    const onSelectionChange = () => {
      if (!window.getSelection()?.isCollapsed) setAllSelected(false);
    };
    document.addEventListener("selectionchange", onSelectionChange);
    return () => document.removeEventListener("selectionchange", onSelectionChange);
  }, [allSelected]);

  function onKeyDown(event: React.KeyboardEvent) {
    if (event.key === "Escape") setAllSelected(false);
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "a") {
      event.preventDefault();
      window.getSelection()?.removeAllRanges();
      setAllSelected(true);
    } else if (key === "f") {
      event.preventDefault();
      searchInput.current?.focus();
      searchInput.current?.select();
    }
  }

  function onCopy(event: React.ClipboardEvent) {
    const selection = window.getSelection();
    const whole =
      allSelected || (selection && selection.rangeCount > 0 && content.current && coversAll(selection.getRangeAt(0), content.current));
    if (!whole) return;
    // The exact value, not a serialisation of a megabyte of selected blocks.
    event.clipboardData.setData("text/plain", text);
    event.preventDefault();
  }

  return (
    <div className="space-y-1">
      <SearchBar search={search} inputRef={searchInput} label={label.toLowerCase()} />
      <div
        ref={scroller}
        role="region"
        aria-label={label}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onCopy={onCopy}
        onPointerDown={() => setAllSelected(false)}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget)) setAllSelected(false);
        }}
        className="relative h-[65vh] overflow-auto rounded border border-slate-200 bg-white font-mono text-[13px] leading-5 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-400"
      >
        <div
          ref={content}
          data-selected={allSelected || undefined}
          className="group min-w-full"
          style={{ width: `calc(${gutter + columns}ch + ${EXTRA_REM}rem)` }}
        >
          {blocks.map((block, index) => (
            <TextBlock key={block.firstLine} block={block} gutter={gutter} mark={index === currentBlock ? mark : undefined} />
          ))}
        </div>
      </div>
      <p role="status" className="text-xs text-slate-600">
        {allSelected ? `All ${text.length.toLocaleString()} characters selected: Ctrl+C copies them.` : ""}
      </p>
      <p className="sr-only">{lineStarts.length} lines</p>
    </div>
  );
}
