"use client";

import { Link } from "@/components/ui/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { readRevisionText } from "@/lib/params";
import { useMemo, useState, type FormEvent } from "react";
import type { ChangeDto, WatchEventDto } from "@/lib/api/dto";
import { LiveToggle } from "@/components/live/live-toggle";
import { useLivePreference } from "@/components/live/live-preference";
import { useLiveUpdates } from "@/components/live/use-live-updates";
import { base64ToBytes, keyHref } from "@/lib/keys";
import { changeQueries, type ChangeFilters } from "@/lib/queries/changes";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";
import { CopyLinkButton } from "@/components/ui/copy-link-button";

// /changes — what changed under a prefix between two revisions, grouped by revision, like a
// `git log` of the keyspace. Every filter is in the URL, so a view is a link.

function groupByRevision(items: ChangeDto[]): [number, ChangeDto[]][] {
  const groups = new Map<number, ChangeDto[]>();
  for (const item of items) {
    const group = groups.get(item.revision) ?? [];
    group.push(item);
    groups.set(item.revision, group);
  }
  return [...groups.entries()];
}

function filtersToSearch(filters: ChangeFilters): string {
  const params = new URLSearchParams();
  if (filters.prefix) params.set("prefix", filters.prefix);
  if (filters.from) params.set("from", String(filters.from));
  if (filters.to) params.set("to", String(filters.to));
  if (filters.type) params.set("type", filters.type);
  if (filters.contains) params.set("contains", filters.contains);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function matchesFilters(change: WatchEventDto, filters: ChangeFilters): boolean {
  return (!filters.type || change.type === filters.type) && (!filters.contains || change.key.includes(filters.contains));
}

export function ChangeFeed({ filters }: { filters: ChangeFilters }) {
  const router = useClusterRouter();
  const query = useInfiniteQuery(changeQueries.feed(useClusterName(), filters));
  const [liveOn, setLiveOn] = useLivePreference();
  const [arrived, setArrived] = useState<ChangeDto[]>([]);
  const prefix = useMemo(() => new TextEncoder().encode(filters.prefix), [filters.prefix]);
  const bounded = filters.to !== undefined;
  const newestShown = query.data?.pages[0]?.revision;
  const live = useLiveUpdates({
    prefix,
    enabled: liveOn && !bounded && newestShown !== undefined,
    shownRevision: newestShown,
    onChanges: (changes) => {
      const fresh = changes
        .filter((change) => matchesFilters(change, filters))
        .map(({ revision, key, keyBase64, type, version }) => ({ revision, key, keyBase64, type, version }));
      if (fresh.length) setArrived((current) => [...fresh.reverse(), ...current].slice(0, 5_000));
    },
    onGap: () => {
      setArrived([]);
      void query.refetch();
    },
  });

  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-center gap-2">
        <h1 className="text-base font-semibold">Changes</h1>
        <CopyLinkButton />
        <LiveToggle
          on={liveOn && !bounded}
          onChange={setLiveOn}
          status={live}
          disabledReason={bounded ? "A feed that ends at a revision does not grow" : undefined}
        />
      </div>
      <FilterForm filters={filters} onApply={(next) => router.push(`/changes${filtersToSearch(next)}`)} />
      {query.isPending ? <Loading label="Reading etcd's history…" /> : null}
      {query.isError ? <ErrorPanel title="Could not read the changes">{query.error.message}</ErrorPanel> : null}
      {query.data ? <FeedList pages={query.data.pages} arrived={arrived} /> : null}
      {query.hasNextPage ? (
        <button
          type="button"
          className="text-xs font-medium text-blue-700 hover:underline"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? "Reading older history…" : "Show older changes"}
        </button>
      ) : null}
    </div>
  );
}

type FeedPage = { items: ChangeDto[]; scanned: { from: number; to: number } | null; compactRevision: number; nextCursor: number | null };

function FeedList({ pages, arrived }: { pages: FeedPage[]; arrived: ChangeDto[] }) {
  const items = [...arrived, ...pages.flatMap((page) => page.items)];
  const last = pages[pages.length - 1];
  const first = pages[0];
  const scannedTo = first?.scanned?.to;
  const scannedFrom = last?.scanned?.from;
  return (
    <div className="space-y-2">
      <p className="text-xs text-slate-500">
        {items.length.toLocaleString()} changes
        {scannedFrom && scannedTo ? ` in revisions ${scannedFrom}–${scannedTo}` : ""}.
      </p>
      <ol aria-label="Changes by revision" className="space-y-2">
        {groupByRevision(items).map(([revision, group]) => (
          <li key={revision} className="rounded border border-slate-200 bg-white">
            <p className="border-b border-slate-100 px-3 py-1 font-mono text-xs font-semibold text-slate-600">revision {revision}</p>
            <ul>
              {group.map((item) => (
                <ChangeRow key={`${item.keyBase64}-${item.type}`} item={item} />
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {last && last.nextCursor === null ? (
        <p className="text-xs text-slate-500">
          {last.compactRevision ? `History before revision ${last.compactRevision} was compacted.` : "This is the oldest change in range."}
        </p>
      ) : null}
    </div>
  );
}

function ChangeRow({ item }: { item: ChangeDto }) {
  const key = base64ToBytes(item.keyBase64);
  const hasPrevious = item.type === "DELETE" || item.version > 1;
  return (
    <li className="flex items-center gap-2 px-3 py-1">
      {item.type === "DELETE" ? <Badge tone="red">DELETE</Badge> : <Badge tone="green">PUT</Badge>}
      <Link className="min-w-0 truncate font-mono text-[13px] text-blue-800 hover:underline" href={keyHref(key, { rev: item.type === "DELETE" ? item.revision - 1 : item.revision })}>
        {item.key}
      </Link>
      <span className="text-xs text-slate-500">{item.type === "PUT" ? (item.version === 1 ? "created" : `v${item.version}`) : "deleted"}</span>
      {hasPrevious && item.type === "PUT" ? (
        <Link className="ml-auto text-xs text-blue-700 hover:underline" href={keyHref(key, { rev: item.revision, compare: item.revision - 1 })}>
          diff
        </Link>
      ) : null}
    </li>
  );
}

function FilterForm({ filters, onApply }: { filters: ChangeFilters; onApply: (filters: ChangeFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  // Text that names no exact revision (a typo, past 2^53) leaves the bound unset.
  const revision = (text: string) => readRevisionText(text);
  return (
    <form onSubmit={submit} aria-label="Filter changes" className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-3">
      <label className="flex flex-col text-xs text-slate-600">
        Prefix
        <input className="w-72 rounded border border-slate-300 px-2 py-1 font-mono text-sm" value={draft.prefix} onChange={(e) => setDraft({ ...draft, prefix: e.target.value })} />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        From revision
        <input className="w-28 rounded border border-slate-300 px-2 py-1 text-sm" inputMode="numeric" value={draft.from ?? ""} onChange={(e) => setDraft({ ...draft, from: revision(e.target.value) })} />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        To revision
        <input className="w-28 rounded border border-slate-300 px-2 py-1 text-sm" inputMode="numeric" value={draft.to ?? ""} onChange={(e) => setDraft({ ...draft, to: revision(e.target.value) })} />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Change
        <select aria-label="Change type" className="rounded border border-slate-300 px-2 py-1 text-sm" value={draft.type ?? ""} onChange={(e) => setDraft({ ...draft, type: (e.target.value || undefined) as ChangeFilters["type"] })}>
          <option value="">PUT and DELETE</option>
          <option value="PUT">PUT</option>
          <option value="DELETE">DELETE</option>
        </select>
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Key contains
        <input className="w-48 rounded border border-slate-300 px-2 py-1 font-mono text-sm" value={draft.contains ?? ""} onChange={(e) => setDraft({ ...draft, contains: e.target.value || undefined })} />
      </label>
      <button type="submit" className="rounded bg-slate-800 px-3 py-1 text-sm font-medium text-white">Show</button>
    </form>
  );
}
