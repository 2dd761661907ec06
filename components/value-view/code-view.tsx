"use client";

import { useMemo } from "react";
import { LargeTextView } from "./large-text-view";

// Shows text line by line. Short texts are a plain <pre>; long ones get line numbers, a search box
// and blocks the browser skips while off screen (large-text-view.tsx).

const PLAIN_LIMIT = 400;

export function CodeView({ text, label }: { text: string; label: string }) {
  const lines = useMemo(() => text.split("\n"), [text]);
  if (lines.length <= PLAIN_LIMIT) {
    return (
      <pre
        aria-label={label}
        className="overflow-auto rounded border border-slate-200 bg-white p-3 font-mono text-[13px] leading-5 whitespace-pre"
      >
        {text}
      </pre>
    );
  }
  return <LargeTextView text={text} lines={lines} label={label} />;
}
