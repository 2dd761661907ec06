"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";
import { base64ToBytes } from "@/lib/keys";
import { DownloadLink } from "./download-link";

// A hex dump like `xxd`: offset, 16 bytes in hex, and the printable ASCII beside them. Virtualized,
// since a 64 KiB preview is 4,096 rows.

const BYTES_PER_ROW = 16;
const ROW_HEIGHT = 20;

function formatRow(bytes: Uint8Array, offset: number): string {
  const row = bytes.subarray(offset, offset + BYTES_PER_ROW);
  let hex = "";
  let ascii = "";
  for (let i = 0; i < BYTES_PER_ROW; i++) {
    if (i < row.length) {
      hex += row[i].toString(16).padStart(2, "0");
      ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : ".";
    } else hex += "  ";
    if (i % 2 === 1) hex += " ";
  }
  return `${offset.toString(16).padStart(8, "0")}: ${hex} ${ascii}`;
}

export function HexDump({ base64, totalSize, downloadUrl }: { base64: string; totalSize: number; downloadUrl: string }) {
  const bytes = useMemo(() => base64ToBytes(base64), [base64]);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = Math.ceil(bytes.length / BYTES_PER_ROW);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  return (
    <div>
      <p className="mb-2 text-xs text-slate-600">
        {bytes.length < totalSize
          ? `First ${bytes.length.toLocaleString()} of ${totalSize.toLocaleString()} bytes. `
          : `${totalSize.toLocaleString()} bytes. `}
        <DownloadLink url={downloadUrl}>Download the value</DownloadLink>
      </p>
      <div
        ref={scroller}
        role="region"
        aria-label="Hex dump"
        className="max-h-[65vh] overflow-auto rounded border border-slate-200 bg-white font-mono text-[13px]"
        style={{ height: Math.min(rows * ROW_HEIGHT + 8, 2000) }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div
              key={row.index}
              className="absolute left-0 top-0 whitespace-pre px-3 leading-5"
              style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
            >
              {formatRow(bytes, row.index * BYTES_PER_ROW)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
