"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";

// Shows text line by line. Short texts are a plain <pre>; long ones (a 1.5 MiB ConfigMap, a big
// JSON document) are virtualized so that only the lines on screen are in the DOM.

const PLAIN_LIMIT = 400;
const LINE_HEIGHT = 20;

export function CodeView({ text, label }: { text: string; label: string }) {
  const lines = useMemo(() => text.split("\n"), [text]);
  if (lines.length <= PLAIN_LIMIT) {
    return (
      <pre aria-label={label} className="overflow-auto rounded border border-slate-200 bg-white p-3 font-mono text-[13px] leading-5 whitespace-pre">
        {text}
      </pre>
    );
  }
  return <VirtualLines lines={lines} label={label} />;
}

function VirtualLines({ lines, label }: { lines: string[]; label: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 30,
  });
  const gutter = String(lines.length).length;
  return (
    <div
      ref={scroller}
      aria-label={label}
      role="region"
      className="h-[65vh] overflow-auto rounded border border-slate-200 bg-white font-mono text-[13px]"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.index}
            className="absolute left-0 top-0 whitespace-pre px-3 leading-5"
            style={{ transform: `translateY(${row.start}px)`, height: LINE_HEIGHT }}
          >
            <span className="mr-3 inline-block select-none text-right text-slate-400" style={{ width: `${gutter}ch` }}>
              {row.index + 1}
            </span>
            {lines[row.index]}
          </div>
        ))}
      </div>
      <p className="sr-only">{lines.length} lines</p>
    </div>
  );
}
