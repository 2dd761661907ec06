"use client";

import { Link } from "@/components/ui/link";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { HistoryItemDto } from "@/lib/api/dto";
import { keyQueries } from "@/lib/queries";
import { isApiError } from "@/lib/queries/fetch-json";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import { viewHref, type ViewState } from "@/components/diff/view-state";
import { formatManagerChange } from "@/lib/diff/managers";
import { RevisionTime } from "@/components/archive/revision-time";
import { combineReadFrom, ReadFromNote } from "@/components/archive/read-from-note";

// Every version of the key that etcd or the archive still has, newest first, grouped by lifecycle
// (create → updates → delete), each saying what it changed. A click shows the value as it was; two
// picked entries, or one with its predecessor, open a comparison. Revisions the archive never
// recorded are marked where they fall: the key may have changed there.

type Group = { lifecycle: number; items: { item: HistoryItemDto; index: number }[] };
type Gap = { from: number; to: number };

/** Each gap of every page once, keyed by the index of the first entry older than it (items.length: after the last). */
function placeGaps(items: HistoryItemDto[], pages: { gaps?: Gap[] }[]): Map<number, Gap[]> {
  const seen = new Set<string>();
  const placed = new Map<number, Gap[]>();
  for (const gap of pages.flatMap((page) => page.gaps ?? [])) {
    const id = `${gap.from}-${gap.to}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const index = items.filter((item) => item.revision >= gap.from).length;
    placed.set(index, [...(placed.get(index) ?? []), gap]);
  }
  return placed;
}

function GapMarker({ gap }: { gap: Gap }) {
  return (
    <li className="rounded border border-dashed border-amber-400 bg-amber-50 px-2 py-1 text-[11px] text-amber-900">
      Not recorded between revisions {gap.from} and {gap.to}: the key may have changed there.
    </li>
  );
}

function groupByLifecycle(items: HistoryItemDto[]): Group[] {
  const groups: Group[] = [];
  items.forEach((item, index) => {
    const last = groups[groups.length - 1];
    if (last && last.lifecycle === item.lifecycle) last.items.push({ item, index });
    else groups.push({ lifecycle: item.lifecycle, items: [{ item, index }] });
  });
  return groups;
}

export function HistoryPane({ keyBytes, state }: { keyBytes: Uint8Array; state: ViewState }) {
  const router = useClusterRouter();
  const query = useInfiniteQuery(keyQueries.history(useClusterName(), keyBytes));
  const [picked, setPicked] = useState<number[]>([]);
  if (query.isPending) return <Loading label="Reading history…" />;
  if (query.isError && !query.data) return <ErrorPanel title="Could not read the history">{query.error.message}</ErrorPanel>;
  const items = query.data.pages.flatMap((page) => page.items);
  const compactRevision = query.data.pages.at(-1)?.compactRevision;
  const gapsBefore = placeGaps(items, query.data.pages);
  const readFrom = combineReadFrom(query.data.pages.map((page) => page.readFrom));
  // The version shown is the newest one at or before the selected revision.
  const selectedIndex = state.rev === undefined ? 0 : items.findIndex((item) => item.revision <= state.rev!);
  const compareIndex = state.compare === undefined ? -1 : items.findIndex((item) => item.revision <= state.compare!);
  // A version whose own revision is compacted opens at the compaction revision, where etcd still has it.
  const revisionHref = (item: HistoryItemDto, openRevision: number, index: number) =>
    viewHref(keyBytes, { ...state, rev: index === 0 && item.type === "PUT" ? undefined : openRevision, compare: undefined });
  const compareHref = (newer: number, older: number) => viewHref(keyBytes, { ...state, rev: newer, compare: older });
  const togglePick = (revision: number) =>
    setPicked((current) => (current.includes(revision) ? current.filter((r) => r !== revision) : [...current, revision].slice(-2)));

  return (
    <div className="text-sm">
      <ReadFromNote readFrom={readFrom} className="px-2 pb-1" />
      {items.length === 0 ? <p className="p-2 text-slate-500">etcd holds no history for this key.</p> : null}
      {picked.length === 2 ? (
        <button
          type="button"
          className="mb-2 w-full rounded bg-slate-800 px-2 py-1 text-xs font-medium text-white"
          onClick={() => {
            setPicked([]);
            router.push(compareHref(Math.max(...picked), Math.min(...picked)));
          }}
        >
          Compare revisions {Math.min(...picked)} and {Math.max(...picked)}
        </button>
      ) : (
        <p className="px-2 pb-1 text-xs text-slate-500">Tick two revisions to compare them.</p>
      )}
      <ol aria-label="Revisions" className="space-y-2">
        {groupByLifecycle(items).map((group) => {
          const createAt = group.items.find(({ item }) => item.type === "PUT" && item.version === 1);
          const create = createAt?.item;
          // A page that ends at a create cannot tell; the next page, once loaded, can.
          const recreated = create?.recreated ?? (createAt !== undefined && items[createAt.index + 1]?.type === "DELETE");
          const deleted = group.items.some(({ item }) => item.type === "DELETE");
          return (
            <li key={`${group.lifecycle}-${group.items[0].item.revision}`} className="rounded border border-slate-200">
              <div className="flex flex-wrap items-center gap-1.5 border-b border-slate-100 bg-slate-50 px-2 py-1 text-xs text-slate-600">
                <span>{group.lifecycle ? `Lifecycle created at rev ${group.lifecycle}` : "Lifecycle"}</span>
                {deleted ? <Badge tone="red">deleted</Badge> : null}
                {recreated ? <Badge tone="amber">new incarnation</Badge> : null}
                {create?.uidChanged ? <Badge tone="amber">new uid</Badge> : null}
              </div>
              <ol aria-label={`Lifecycle created at revision ${group.lifecycle}`} className="space-y-0.5 p-1">
                {group.items.map(({ item, index }) => {
                  const older = items[index + 1];
                  const isSelected = index === selectedIndex;
                  const isCompared = index === compareIndex;
                  const openRevision = item.openRevision;
                  const olderOpenRevision = older?.openRevision ?? null;
                  const row = (
                    <>
                      <span className="w-20 font-mono">rev {item.revision}</span>
                      {item.type === "DELETE" ? <Badge tone="red">DELETE</Badge> : <Badge tone="green">PUT</Badge>}
                      <span className="text-xs text-slate-500">{item.type === "PUT" ? `v${item.version}` : "tombstone"}</span>
                      <RevisionTime time={item} />
                      <span className="ml-auto text-xs text-slate-500">{item.type === "PUT" ? `${item.size.toLocaleString()} B` : ""}</span>
                    </>
                  );
                  return [
                    ...(gapsBefore.get(index) ?? []).map((gap) => <GapMarker key={`gap-${gap.from}-${gap.to}`} gap={gap} />),
                    <li
                      key={`${item.revision}-${item.type}`}
                      className={`rounded ${isSelected ? "bg-blue-100" : isCompared ? "bg-amber-50" : ""}`}
                    >
                      {openRevision === null ? (
                        <div className="flex items-center gap-2 rounded px-2 pt-1 text-slate-500">{row}</div>
                      ) : (
                        <Link
                          href={revisionHref(item, openRevision, index)}
                          aria-current={isSelected ? "true" : undefined}
                          className="flex items-center gap-2 rounded px-2 pt-1 hover:bg-slate-100"
                        >
                          {row}
                        </Link>
                      )}
                      {item.summary ? <p className="break-all px-2 font-mono text-[11px] text-slate-600">{item.summary}</p> : null}
                      {item.managers?.length ? (
                        <p className="break-all px-2 text-[11px] text-slate-500">
                          by {item.managers.map((change) => formatManagerChange(change)).join("; ")}
                        </p>
                      ) : null}
                      {openRevision === null ? (
                        <p className="px-2 pb-1 text-[11px] text-slate-500">Compacted: etcd no longer holds this version.</p>
                      ) : openRevision !== item.revision ? (
                        <p className="px-2 text-[11px] text-slate-500">
                          Revision {item.revision} is compacted; this version is shown as of revision {openRevision}, where etcd still has
                          it.
                        </p>
                      ) : null}
                      {openRevision === null ? null : (
                        <div className="flex items-center gap-2 px-2 pb-1 text-[11px]">
                          <label className="flex items-center gap-1 text-slate-600">
                            <input
                              type="checkbox"
                              checked={picked.includes(openRevision)}
                              onChange={() => togglePick(openRevision)}
                              aria-label={`Select revision ${item.revision} for comparison`}
                            />
                            pick
                          </label>
                          {older && olderOpenRevision !== null && olderOpenRevision !== openRevision ? (
                            <button
                              type="button"
                              className="text-blue-700 hover:underline"
                              aria-label={`Compare revision ${item.revision} with previous`}
                              onClick={() => router.push(compareHref(openRevision, olderOpenRevision))}
                            >
                              compare with previous
                            </button>
                          ) : null}
                          <span className="ml-auto">
                            <CopyLinkButton label={`Copy rev ${item.revision} link`} href={viewHref(keyBytes, { rev: openRevision })} />
                          </span>
                        </div>
                      )}
                    </li>,
                  ];
                })}
              </ol>
            </li>
          );
        })}
      </ol>
      {(gapsBefore.get(items.length) ?? []).length > 0 ? (
        <ol aria-label="Unrecorded revisions" className="mt-2 space-y-1">
          {gapsBefore.get(items.length)!.map((gap) => (
            <GapMarker key={`gap-${gap.from}-${gap.to}`} gap={gap} />
          ))}
        </ol>
      ) : null}
      {query.hasNextPage ? (
        <button
          type="button"
          className="mt-2 text-xs font-medium text-blue-700 hover:underline"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? "Loading…" : "Show older revisions"}
        </button>
      ) : null}
      {query.isError ? (
        isApiError(query.error, "compacted") ? (
          <p className="mt-2 text-xs text-slate-500">
            Older revisions were compacted while you were reading.{" "}
            {query.error.compactRevision ? (
              <Link className="text-blue-700 underline" href={viewHref(keyBytes, { rev: query.error.compactRevision })}>
                Show the oldest revision still available ({query.error.compactRevision})
              </Link>
            ) : null}
          </p>
        ) : (
          <ErrorPanel title="Could not read older revisions">{query.error.message}</ErrorPanel>
        )
      ) : null}
      {compactRevision ? (
        <div role="note" className="mt-2 border-t border-slate-200 pt-2 text-xs text-slate-500">
          <p>History before revision {compactRevision} was compacted.</p>
          <Link className="text-blue-700 underline" href={viewHref(keyBytes, { rev: compactRevision })}>
            Show the oldest revision still available ({compactRevision})
          </Link>
        </div>
      ) : null}
    </div>
  );
}
