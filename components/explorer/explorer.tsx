"use client";

import Link from "next/link";
import { useMemo } from "react";
import { base64ToBytes, keyHref, keyToDisplay } from "@/lib/keys";
import { KeyTree } from "@/components/key-tree/key-tree";
import { HistoryPane } from "@/components/history/history-pane";
import { ValuePane } from "@/components/value-view/value-pane";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import { ErrorPanel } from "@/components/ui/panels";
import { FolderOrMissing } from "./folder-view";

// The explorer: tree, value and history side by side, all driven by the URL (key path + ?rev=).

type ExplorerProps = { keyBase64: string; revision?: number; revisionError?: string };

export function Explorer({ keyBase64, revision, revisionError }: ExplorerProps) {
  const keyBytes = useMemo(() => base64ToBytes(keyBase64), [keyBase64]);
  const pinned = revisionError ? undefined : revision;
  return (
    <div className="grid h-full min-h-0 grid-cols-1 md:grid-cols-[minmax(240px,22rem)_1fr_minmax(220px,20rem)]">
      <aside className="min-h-0 overflow-auto border-r border-slate-200 bg-white">
        <KeyTree selectedKey={keyBytes} revision={pinned} />
      </aside>
      <section aria-label="Selected key" className="min-h-0 min-w-0 space-y-3 overflow-auto p-4">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="min-w-0 break-all font-mono text-base font-semibold" aria-label="Key">
            {keyToDisplay(keyBytes)}
          </h1>
          <CopyLinkButton />
        </div>
        {pinned ? (
          <div role="status" className="flex items-center gap-2 rounded bg-indigo-50 px-3 py-1.5 text-sm text-indigo-900">
            <span>As of revision {pinned}.</span>
            <Link className="font-medium underline" href={keyHref(keyBytes)}>
              Back to now
            </Link>
          </div>
        ) : null}
        {revisionError ? (
          <ErrorPanel title="Bad revision in the link">{revisionError}</ErrorPanel>
        ) : (
          <ValuePane key={`${keyBase64}@${pinned ?? "now"}`} keyBytes={keyBytes} revision={pinned} missing={<FolderOrMissing keyBytes={keyBytes} revision={pinned} />} />
        )}
      </section>
      <aside aria-label="History" className="min-h-0 overflow-auto border-l border-slate-200 bg-white p-2">
        <h2 className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">History</h2>
        {revisionError ? null : <HistoryPane keyBytes={keyBytes} selectedRevision={pinned} />}
      </aside>
    </div>
  );
}
