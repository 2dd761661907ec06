"use client";

import { Link } from "@/components/ui/link";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { parseRevisionOrTime } from "@/lib/params";
import { useMemo, useState, type FormEvent } from "react";
import type { ChangeDto, ManagerChangeDto, ReadFromDto, WatchEventDto } from "@/lib/api/dto";
import { formatManagerChange } from "@/lib/diff/managers";
import { LiveToggle } from "@/components/live/live-toggle";
import { useLivePreference } from "@/components/live/live-preference";
import { useLiveUpdates } from "@/components/live/use-live-updates";
import { base64ToBytes, keyHref } from "@/lib/keys";
import { changeQueries, type ChangeFilters } from "@/lib/queries/changes";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import { viewHref } from "@/components/diff/view-state";
import { RevisionTime } from "@/components/archive/revision-time";
import { combineReadFrom, ReadFromNote } from "@/components/archive/read-from-note";

// /changes — what changed under a prefix between two revisions, one row per change, newest first,
// like a `git log --oneline` of the keyspace: revision, PUT / DELETE / created, the key, and the
// history pane's one-line summary, with the diff one click away. Every filter is in the URL, so a
// view is a link.

/** Changes that arrived live in one delivery, newest first; their summaries are read afterwards. */
type ArrivedBatch = { from: number; to: number; changes: WatchEventDto[] };

const MAX_ARRIVED = 5_000;

function keepNewest(batches: ArrivedBatch[]): ArrivedBatch[] {
  let rows = 0;
  return batches.filter((batch) => (rows += batch.changes.length) <= MAX_ARRIVED);
}

function filtersToSearch(filters: ChangeFilters): string {
  const params = new URLSearchParams();
  if (filters.prefix) params.set("prefix", filters.prefix);
  const from = filters.from ?? filters.since;
  const to = filters.to ?? filters.until;
  if (from) params.set("from", String(from));
  if (to) params.set("to", String(to));
  if (filters.type) params.set("type", filters.type);
  if (filters.contains) params.set("contains", filters.contains);
  if (filters.manager?.trim()) params.set("manager", filters.manager.trim());
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The deleted view (/deleted) of the same prefix and window. */
function deletedHref(filters: ChangeFilters): string {
  const params = new URLSearchParams({ prefix: filters.prefix });
  const from = filters.from ?? filters.since;
  const to = filters.to ?? filters.until;
  if (from) params.set("from", String(from));
  if (to) params.set("to", String(to));
  return `/deleted?${params.toString()}`;
}

function matchesFilters(change: WatchEventDto, filters: ChangeFilters): boolean {
  return (!filters.type || change.type === filters.type) && (!filters.contains || change.key.includes(filters.contains));
}

export function ChangeFeed({ filters }: { filters: ChangeFilters }) {
  const router = useClusterRouter();
  const query = useInfiniteQuery(changeQueries.feed(useClusterName(), filters));
  const [liveOn, setLiveOn] = useLivePreference();
  const [arrived, setArrived] = useState<ArrivedBatch[]>([]);
  const prefix = useMemo(() => new TextEncoder().encode(filters.prefix), [filters.prefix]);
  const bounded = filters.to !== undefined || filters.until !== undefined;
  // A live change carries no value, so it cannot tell which manager made it.
  const liveBlocked = bounded
    ? "A feed that ends at a revision or a time does not grow"
    : filters.manager
      ? "Live changes carry no values to tell their manager by"
      : undefined;
  const newestShown = query.data?.pages[0]?.revision;
  const live = useLiveUpdates({
    prefix,
    enabled: liveOn && !liveBlocked && newestShown !== undefined,
    shownRevision: newestShown,
    onChanges: (changes) => {
      const fresh = changes.filter((change) => matchesFilters(change, filters)).reverse();
      if (fresh.length === 0) return;
      const batch = { from: fresh[fresh.length - 1].revision, to: fresh[0].revision, changes: fresh };
      setArrived((current) => keepNewest([batch, ...current]));
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
        <Link className="text-xs text-blue-700 hover:underline" href={deletedHref(filters)}>
          what was deleted here…
        </Link>
        <LiveToggle on={liveOn && !liveBlocked} onChange={setLiveOn} status={live} disabledReason={liveBlocked} />
      </div>
      <FilterForm filters={filters} onApply={(next) => router.push(`/changes${filtersToSearch(next)}`)} />
      {query.isPending ? <Loading label="Reading etcd's history…" /> : null}
      {query.isError ? <ErrorPanel title="Could not read the changes">{query.error.message}</ErrorPanel> : null}
      {query.data ? <FeedTable pages={query.data.pages} arrived={arrived} filters={filters} complete={!query.hasNextPage} /> : null}
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

type FeedPage = {
  items: ChangeDto[];
  scanned: { from: number; to: number } | null;
  compactRevision: number;
  nextCursor: number | null;
  readFrom?: ReadFromDto;
};

/** What the summary cell says: the server's summary, or where reading it stands for a live row. */
type SummaryState =
  { state: "known"; text: string | null; managers?: ManagerChangeDto[] } | { state: "reading" } | { state: "unavailable"; reason: string };

const plural = (count: number) => `${count.toLocaleString()} change${count === 1 ? "" : "s"}`;

function FeedTable({
  pages,
  arrived,
  filters,
  complete,
}: {
  pages: FeedPage[];
  arrived: ArrivedBatch[];
  filters: ChangeFilters;
  complete: boolean;
}) {
  const items = pages.flatMap((page) => page.items);
  const last = pages[pages.length - 1];
  const compactRevision = last?.compactRevision ?? 0;
  const newestArrived = arrived[0]?.to;
  const from = last?.scanned?.from;
  const to = newestArrived ?? pages[0]?.scanned?.to;
  const count = items.length + arrived.reduce((sum, batch) => sum + batch.changes.length, 0);
  // Revisions below the compaction are gone; that matters only when the range asked reaches below it.
  const readFrom = combineReadFrom(pages.flatMap((page) => (page.readFrom ? [page.readFrom] : [])));
  // Unless the archive answered for them.
  const fromArchive = readFrom !== undefined && readFrom.source !== "etcd";
  const compactedBefore = !fromArchive && compactRevision > 1 && (filters.from ?? 1) < compactRevision ? compactRevision : undefined;
  // The oldest revision a diff can read: etcd's compaction, or the archive's first revision below it.
  const archiveFirst = readFrom?.archive?.firstRevision;
  const readableFrom = archiveFirst != null && archiveFirst < compactRevision ? archiveFirst : compactRevision;
  return (
    <div className="space-y-2">
      <p role="status" aria-label="Range covered" className="text-xs text-slate-600">
        {from !== undefined && to !== undefined ? `Revisions ${from}–${to}, ${plural(count)}` : `No revisions in range, ${plural(count)}`}
        {complete ? "." : "; older revisions not read yet."}
        {compactedBefore ? ` History before revision ${compactedBefore} was compacted.` : ""}
      </p>
      <ReadFromNote readFrom={readFrom} />
      <div className="overflow-x-auto rounded border border-slate-200 bg-white">
        <table aria-label="Changes" className="w-full border-collapse text-left text-[13px]">
          <thead className="bg-slate-50 text-xs text-slate-600">
            <tr>
              <th scope="col" className="w-24 px-2 py-1 font-medium">
                Revision
              </th>
              <th scope="col" className="w-20 px-2 py-1 font-medium">
                Change
              </th>
              <th scope="col" className="px-2 py-1 font-medium">
                Key
              </th>
              <th scope="col" className="px-2 py-1 font-medium">
                Summary
              </th>
              <th scope="col" className="w-12 px-2 py-1 font-medium">
                Diff
              </th>
            </tr>
          </thead>
          <tbody>
            {arrived.map((batch) => (
              <ArrivedRows key={`${batch.from}-${batch.to}`} batch={batch} filters={filters} compactRevision={readableFrom} />
            ))}
            {items.map((item) => (
              <ChangeRow
                key={`${item.revision}-${item.keyBase64}-${item.type}`}
                item={item}
                summary={{ state: "known", text: item.summary, managers: item.managers }}
                compactRevision={readableFrom}
              />
            ))}
          </tbody>
        </table>
      </div>
      {count === 0 ? <p className="text-xs text-slate-500">No changes in this range.</p> : null}
      {last && last.nextCursor === null && count > 0 ? <p className="text-xs text-slate-500">This is the oldest change in range.</p> : null}
    </div>
  );
}

// Live changes come without values, so their summaries are read from the feed for the revisions
// they arrived in; meanwhile the row says so instead of showing nothing.
function ArrivedRows({ batch, filters, compactRevision }: { batch: ArrivedBatch; filters: ChangeFilters; compactRevision: number }) {
  const read = useQuery(changeQueries.arrived(useClusterName(), filters, batch.from, batch.to));
  const found = new Map((read.data?.items ?? []).map((item) => [`${item.revision}-${item.keyBase64}-${item.type}`, item]));
  return batch.changes.map((change) => {
    const id = `${change.revision}-${change.keyBase64}-${change.type}`;
    const summary: SummaryState = read.isError
      ? { state: "unavailable", reason: read.error.message }
      : read.data
        ? found.has(id)
          ? { state: "known", text: found.get(id)?.summary ?? null, managers: found.get(id)?.managers }
          : { state: "unavailable", reason: "not in the feed's answer for this revision" }
        : { state: "reading" };
    return <ChangeRow key={id} item={change} summary={summary} compactRevision={compactRevision} />;
  });
}

function ChangeLabel({ item }: { item: Pick<ChangeDto, "type" | "version"> }) {
  if (item.type === "DELETE") return <Badge tone="red">DELETE</Badge>;
  // etcd starts a key's version at 1 on every create, so version 1 is a create, re-creations included.
  return item.version === 1 ? <Badge tone="blue">created</Badge> : <Badge tone="green">PUT</Badge>;
}

function SummaryText({
  item,
  summary,
  compactRevision,
}: {
  item: Pick<ChangeDto, "type" | "version" | "revision">;
  summary: SummaryState;
  compactRevision: number;
}) {
  if (summary.state === "reading") return <span className="text-slate-500 italic">reading summary…</span>;
  if (summary.state === "unavailable") return <span className="text-slate-500 italic">summary unavailable: {summary.reason}</span>;
  if (summary.text !== null) return <span title={summary.text}>{summary.text}</span>;
  const isUpdate = item.type === "PUT" && item.version > 1;
  if (isUpdate && item.revision - 1 < compactRevision)
    return <span className="text-slate-500 italic">the version it replaced is compacted</span>;
  return <span className="text-slate-500 italic">a value without fields: see the diff</span>;
}

function ChangeRow({
  item,
  summary,
  compactRevision,
}: {
  item: Omit<ChangeDto, "summary">;
  summary: SummaryState;
  compactRevision: number;
}) {
  const key = base64ToBytes(item.keyBase64);
  // The version an update replaced is the key at revision − 1, readable while that is not compacted.
  const diffable = item.type === "PUT" && item.version > 1 && item.revision - 1 >= compactRevision;
  return (
    <tr className="border-t border-slate-100 align-top hover:bg-slate-50">
      <td className="px-2 py-0.5 font-mono text-xs text-slate-600">
        {item.revision}
        <RevisionTime time={item} className="block font-sans text-[11px]" />
      </td>
      <td className="px-2 py-0.5">
        <ChangeLabel item={item} />
      </td>
      <td className="max-w-[28rem] truncate px-2 py-0.5 font-mono">
        {/* A DELETE leaves nothing at its own revision: the link opens the last value it removed. */}
        <Link
          className="text-blue-800 hover:underline"
          href={keyHref(key, { rev: item.type === "DELETE" ? item.revision - 1 : item.revision })}
        >
          {item.key}
        </Link>
      </td>
      <td className="max-w-[32rem] truncate px-2 py-0.5 font-mono text-xs text-slate-700">
        <SummaryText item={item} summary={summary} compactRevision={compactRevision} />
        {summary.state === "known" && summary.managers?.length ? (
          <span className="block truncate font-sans text-[11px] text-slate-500">
            {" "}
            by {summary.managers.map((change) => formatManagerChange(change)).join("; ")}
          </span>
        ) : null}
      </td>
      <td className="px-2 py-0.5 text-xs">
        {diffable ? (
          <Link
            className="text-blue-700 hover:underline"
            aria-label={`diff revision ${item.revision} of ${item.key} against the version before`}
            href={viewHref(key, { rev: item.revision, compare: item.revision - 1 })}
          >
            diff
          </Link>
        ) : null}
      </td>
    </tr>
  );
}

/**
 * A window bound typed in the form: a revision, or an RFC 3339 time (kept as the instant it names).
 * Text that names neither (a typo, past 2^53) leaves the bound unset.
 */
function readBound(name: "from" | "to", text: string): Partial<ChangeFilters> {
  const time = name === "from" ? "since" : "until";
  const parsed = text.trim() === "" ? undefined : parseRevisionOrTime(text);
  if (!parsed?.ok) return { [name]: undefined, [time]: undefined };
  return "revision" in parsed.value
    ? { [name]: parsed.value.revision, [time]: undefined }
    : { [name]: undefined, [time]: new Date(parsed.value.time).toISOString() };
}

function FilterForm({ filters, onApply }: { filters: ChangeFilters; onApply: (filters: ChangeFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const [bounds, setBounds] = useState({
    from: String(filters.from ?? filters.since ?? ""),
    to: String(filters.to ?? filters.until ?? ""),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...draft, ...readBound("from", bounds.from), ...readBound("to", bounds.to) });
  };
  return (
    <form
      onSubmit={submit}
      aria-label="Filter changes"
      className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-3"
    >
      <label className="flex flex-col text-xs text-slate-600">
        Prefix
        <input
          className="w-72 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          value={draft.prefix}
          onChange={(e) => setDraft({ ...draft, prefix: e.target.value })}
        />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        From (revision or time)
        <input
          className="w-52 rounded border border-slate-300 px-2 py-1 text-sm"
          title="A revision, or a time such as 2026-11-20T10:00:00Z"
          placeholder="revision or time"
          value={bounds.from}
          onChange={(e) => setBounds({ ...bounds, from: e.target.value })}
        />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        To (revision or time)
        <input
          className="w-52 rounded border border-slate-300 px-2 py-1 text-sm"
          title="A revision, or a time such as 2026-11-20T10:05:00Z"
          placeholder="revision or time"
          value={bounds.to}
          onChange={(e) => setBounds({ ...bounds, to: e.target.value })}
        />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Change
        <select
          aria-label="Change type"
          className="rounded border border-slate-300 px-2 py-1 text-sm"
          value={draft.type ?? ""}
          onChange={(e) => setDraft({ ...draft, type: (e.target.value || undefined) as ChangeFilters["type"] })}
        >
          <option value="">PUT and DELETE</option>
          <option value="PUT">PUT</option>
          <option value="DELETE">DELETE</option>
        </select>
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Key contains
        <input
          className="w-48 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          value={draft.contains ?? ""}
          onChange={(e) => setDraft({ ...draft, contains: e.target.value || undefined })}
        />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Manager
        <input
          className="w-48 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          placeholder="kube-controller-manager"
          value={draft.manager ?? ""}
          onChange={(e) => setDraft({ ...draft, manager: e.target.value || undefined })}
        />
      </label>
      <button type="submit" className="rounded bg-slate-800 px-3 py-1 text-sm font-medium text-white">
        Show
      </button>
    </form>
  );
}
