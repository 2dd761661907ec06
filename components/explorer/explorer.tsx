"use client";

import { Link } from "@/components/ui/link";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { Fragment, useEffect, useMemo } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { base64ToBytes, bytesToBase64, keyFromFragment, keyHref, keyToDisplay } from "@/lib/keys";
import { clusterQueries, keyQueries } from "@/lib/queries";
import type { HistoryItemDto } from "@/lib/api/dto";
import { KeyTree } from "@/components/key-tree/key-tree";
import { HistoryPane } from "@/components/history/history-pane";
import { ValuePane } from "@/components/value-view/value-pane";
import { DiffView } from "@/components/diff/diff-view";
import { viewHref, type ViewState } from "@/components/diff/view-state";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import { LiveToggle } from "@/components/live/live-toggle";
import { useExplorerLive } from "@/components/live/use-explorer-live";
import { ColumnSeparator, ExplorerColumns } from "./explorer-columns";
import { FolderOrMissing } from "./folder-view";
import { usePageFragment } from "./use-page-fragment";
import { useNameKind } from "./use-name-kind";
import { COMPARISON_SHORTCUTS, HELP_SHORTCUT, isShortcutPress, VERSION_SHORTCUTS } from "@/components/shortcuts/shortcut-list";
import { Keys } from "@/components/shortcuts/shortcuts-dialog";

// The explorer: tree, value (or a comparison of two versions) and history side by side, all
// driven by the URL (key path + ?rev=&compare=&view=&noise=). The tree lists the keyspace at the
// revision shown, so moving through a key's versions moves the tree through time with it.

type ExplorerProps = { keyBase64: string; revisionError?: string; view: ViewState };

export function Explorer({ keyBase64, revisionError, view }: ExplorerProps) {
  // A key too long for the URL path is named in the fragment, on /keys (see keyHref).
  const fragment = usePageFragment();
  const keyBytes = useMemo(() => keyFromFragment(fragment) ?? base64ToBytes(keyBase64), [fragment, keyBase64]);
  const pinned = revisionError ? undefined : view.rev;
  // The tree's root (the empty name) is a folder etcd cannot store a key under: no value, no history.
  const root = keyBytes.length === 0;
  const cluster = useClusterName();
  const history = useInfiniteQuery({ ...keyQueries.history(cluster, keyBytes), enabled: !revisionError && !root });
  const kind = useNameKind(keyBytes, pinned);
  const items = useMemo(() => history.data?.pages.flatMap((page) => page.items) ?? [], [history.data]);
  useVersionShortcuts(keyBytes, view, items);

  const comparing = !revisionError && view.compare !== undefined;
  const live = useExplorerLive(keyBytes, pinned);
  // Absent at the revision shown because a DELETE came last: say so, rather than "no such key".
  const shownEntry = pinned === undefined ? items[0] : items.find((item) => item.revision <= pinned);
  const deletion = shownEntry?.type === "DELETE" ? shownEntry : undefined;
  const newest = items[0]?.revision;
  const to = pinned ?? newest;
  const missing = deletion ? (
    <DeletedNotice keyBytes={keyBytes} deletedAt={deletion.revision} pinned={pinned} />
  ) : (
    <FolderOrMissing keyBytes={keyBytes} revision={pinned} />
  );

  return (
    <ExplorerColumns>
      <aside id="key-tree-pane" className="min-h-0 overflow-hidden border-r border-slate-200 bg-white">
        <KeyTree selectedKey={keyBytes} revision={pinned} />
      </aside>
      <ColumnSeparator column="tree" controls="key-tree-pane" />
      <section aria-label="Selected key" className="min-h-0 min-w-0 space-y-3 overflow-auto p-4">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="min-w-0 break-all font-mono text-base font-semibold" aria-label="Key">
            {root ? "/" : keyToDisplay(keyBytes)}
          </h1>
          <CopyLinkButton />
          <LiveToggle on={live.on} onChange={live.setOn} status={live.status} disabledReason={live.disabledReason} />
        </div>
        {pinned ? <TimeTravelBanner keyBytes={keyBytes} revision={pinned} /> : null}
        {revisionError ? (
          <ErrorPanel title="Bad revision in the link">{revisionError}</ErrorPanel>
        ) : comparing ? (
          to === undefined ? (
            history.isError ? (
              <ErrorPanel title="Could not read the history">{history.error.message}</ErrorPanel>
            ) : (
              <Loading label="Finding the newest revision…" />
            )
          ) : (
            <DiffView keyBytes={keyBytes} from={Math.min(view.compare!, to)} to={Math.max(view.compare!, to)} state={view} />
          )
        ) : kind === "pending" ? (
          <Loading label="Looking for this key…" />
        ) : kind === "key" || kind === "unknown" ? (
          <ValuePane key={`${bytesToBase64(keyBytes)}@${pinned ?? "now"}`} keyBytes={keyBytes} revision={pinned} missing={missing} />
        ) : (
          missing
        )}
        <ShortcutHelp comparing={comparing} />
      </section>
      <ColumnSeparator column="history" controls="history-pane" />
      <aside id="history-pane" aria-label="History" className="min-h-0 overflow-auto border-l border-slate-200 bg-white p-2">
        <h2 className="px-2 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">History</h2>
        {revisionError ? null : root ? (
          <p className="px-2 text-sm text-slate-500">The root of the tree is a folder: it has no history of its own.</p>
        ) : (
          <HistoryPane keyBytes={keyBytes} state={{ ...view, rev: pinned }} />
        )}
      </aside>
    </ExplorerColumns>
  );
}

function DeletedNotice({ keyBytes, deletedAt, pinned }: { keyBytes: Uint8Array; deletedAt: number; pinned?: number }) {
  return (
    <div role="status" className="rounded border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-semibold">Deleted at revision {deletedAt}</p>
      <p className="mt-1">
        {pinned === undefined ? "The key does not exist now. " : `The key did not exist at revision ${pinned}. `}
        <Link className="underline" href={keyHref(keyBytes, { rev: deletedAt - 1 })}>
          Show it just before the delete (revision {deletedAt - 1})
        </Link>
      </p>
    </div>
  );
}

function TimeTravelBanner({ keyBytes, revision }: { keyBytes: Uint8Array; revision: number }) {
  const header = useQuery(clusterQueries.header(useClusterName()));
  const current = header.data?.revision;
  return (
    <div role="status" className="flex flex-wrap items-center gap-2 rounded bg-indigo-50 px-3 py-1.5 text-sm text-indigo-900">
      <span>As of revision {revision}.</span>
      {current !== undefined ? <span>(current {current})</span> : null}
      <Link className="font-medium underline" href={keyHref(keyBytes)}>
        Back to now
      </Link>
    </div>
  );
}

function ShortcutHelp({ comparing }: { comparing: boolean }) {
  const shortcuts = [...VERSION_SHORTCUTS.shortcuts, ...(comparing ? COMPARISON_SHORTCUTS.shortcuts : []), HELP_SHORTCUT];
  return (
    <p aria-label="Keyboard shortcuts" className="text-xs text-slate-500">
      Keys:{" "}
      {shortcuts.map((shortcut, index) => (
        <Fragment key={shortcut.keys.join(" ")}>
          {index > 0 ? " · " : null}
          <Keys shortcut={shortcut} /> {shortcut.action}
        </Fragment>
      ))}
    </p>
  );
}

/**
 * [ and ] step through the key's versions (a comparison steps as a pair), c compares, d flips the
 * layout. Each version opens at its openRevision: after a compaction a version's own revision may
 * be gone while etcd still holds it at the compaction revision, and a version etcd holds at no
 * revision any more is stepped over.
 */
function useVersionShortcuts(keyBytes: Uint8Array, view: ViewState, items: HistoryItemDto[]) {
  const router = useClusterRouter();
  useEffect(() => {
    const indexAt = (revision: number | undefined) => (revision === undefined ? 0 : items.findIndex((item) => item.revision <= revision));
    const openable = (index: number) => index >= 0 && index < items.length && items[index].openRevision !== null;
    const nextOpenable = (from: number, step: 1 | -1) => {
      let index = from + step;
      while (index >= 0 && index < items.length && !openable(index)) index += step;
      return openable(index) ? index : -1;
    };
    const revOf = (index: number) => (index === 0 && items[0].type === "PUT" ? undefined : items[index].openRevision!);
    const go = (state: Partial<ViewState>) => router.push(viewHref(keyBytes, { ...view, ...state }), { scroll: false });
    const compareFrom = (newer: number) => {
      const older = nextOpenable(newer, 1);
      return older < 0 ? undefined : { rev: items[newer].openRevision!, compare: items[older].openRevision! };
    };
    const onKey = (event: KeyboardEvent) => {
      if (!isShortcutPress(event) || items.length === 0) return;
      const shown = indexAt(view.rev);
      if (event.key === "[" || event.key === "]") {
        const target = nextOpenable(shown, event.key === "[" ? 1 : -1);
        if (target < 0) return;
        if (view.compare !== undefined) {
          const pair = compareFrom(target);
          if (!pair) return;
          go(pair);
        } else go({ rev: revOf(target) });
      } else if (event.key === "c" && openable(shown)) {
        const pair = compareFrom(shown);
        if (!pair) return;
        go(pair);
      } else if (event.key === "d" && view.compare !== undefined) {
        go({ layout: view.layout === "split" ? "unified" : "split" });
      } else if (event.key === "Escape" && view.compare !== undefined) {
        go({ compare: undefined });
      } else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [keyBytes, view, items, router]);
}
