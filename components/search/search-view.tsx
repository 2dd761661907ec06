"use client";

import { useMemo, useState, type FormEvent } from "react";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { KeyLink } from "@/components/key-tree/key-link";
import { ErrorPanel, NoticePanel } from "@/components/ui/panels";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import type { SearchHitDto } from "@/lib/api/dto";
import { base64ToBytes, keyHref } from "@/lib/keys";
import { parseSearchQuery } from "@/lib/search/query";
import { searchPageHref, useSearchStream, type SearchParams } from "@/lib/queries/search";

// /search — the search box and its results. Submitting puts the search in the URL (so a search is
// a link); results stream in with a progress bar of keys scanned of the total, Cancel stops the
// scan, and More goes on where a page closed, at the same revision.

export function SearchView({ initial }: { initial: Partial<SearchParams> }) {
  const router = useClusterRouter();
  const cluster = useClusterName();
  const [prefix, setPrefix] = useState(initial.prefix ?? "/");
  const [text, setText] = useState(initial.q ?? "");
  const [rev, setRev] = useState(initial.rev !== undefined ? String(initial.rev) : (initial.at ?? ""));
  const typed = text.trim() === "" ? undefined : parseSearchQuery(text);
  const params = useMemo<SearchParams | undefined>(
    () =>
      initial.q && parseSearchQuery(initial.q).ok
        ? { prefix: initial.prefix ?? "/", q: initial.q, rev: initial.rev, at: initial.at }
        : undefined,
    [initial.prefix, initial.q, initial.rev, initial.at],
  );
  const { state, cancel, more } = useSearchStream(cluster, params);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!typed?.ok) return;
    const pinned = rev.trim();
    const at = pinned && !/^\d+$/.test(pinned) ? pinned : undefined;
    router.push(searchPageHref({ prefix, q: text.trim(), rev: pinned && !at ? Number(pinned) : undefined, at }));
  };

  const shownRevision = state.revision ?? initial.rev;
  return (
    <div className="max-w-5xl space-y-3">
      <h1 className="text-lg font-semibold text-slate-900">Search by content</h1>
      <form role="search" onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-xs text-slate-600">
          Under prefix
          <input
            value={prefix}
            onChange={(event) => setPrefix(event.target.value)}
            className="w-64 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          />
        </label>
        <label className="flex min-w-80 flex-1 flex-col text-xs text-slate-600">
          Query
          <input
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder='nginx, /regex/i, status.phase!=Running, metadata.labels["app.kubernetes.io/name"]=web'
            aria-invalid={typed?.ok === false}
            aria-describedby="search-query-problem"
            className="rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          />
        </label>
        <label className="flex flex-col text-xs text-slate-600">
          At revision or time
          <input
            value={rev}
            onChange={(event) => setRev(event.target.value)}
            placeholder="current"
            className="w-48 rounded border border-slate-300 px-2 py-1 font-mono text-sm"
          />
        </label>
        <button type="submit" disabled={!typed?.ok} className="rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
          Search
        </button>
      </form>
      {typed && !typed.ok ? (
        <p id="search-query-problem" role="alert" className="text-sm text-red-800">
          {typed.message}
        </p>
      ) : null}
      {!params ? (
        <NoticePanel title="What to search for">
          A text matches keys and decoded values (any case); <code className="font-mono">/regex/i</code> a regular expression; a field
          condition like <code className="font-mono">spec.template.spec.containers[*].image=nginx:1.25</code> or{" "}
          <code className="font-mono">status.phase!=Running</code> a Kubernetes object. Terms separated by spaces or commas must all hold.
        </NoticePanel>
      ) : (
        <>
          <Progress state={state} revision={shownRevision} onCancel={cancel} />
          {state.error ? <ErrorPanel title="The search failed">{state.error.message}</ErrorPanel> : null}
          <ol aria-label="Search results" className="divide-y divide-slate-100 rounded border border-slate-200 bg-white">
            {state.items.map((item) => (
              <Result key={item.keyBase64} item={item} revision={shownRevision} />
            ))}
          </ol>
          {state.status === "done" && state.items.length === 0 ? <p className="text-sm text-slate-600">No key matches.</p> : null}
          <div className="flex items-center gap-3">
            {state.status === "done" && state.next ? (
              <button type="button" onClick={more} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
                More
              </button>
            ) : null}
            <CopyLinkButton />
          </div>
        </>
      )}
    </div>
  );
}

function Progress({
  state,
  revision,
  onCancel,
}: {
  state: ReturnType<typeof useSearchStream>["state"];
  revision?: number;
  onCancel: () => void;
}) {
  const matches = `${state.items.length.toLocaleString()} ${state.items.length === 1 ? "match" : "matches"}`;
  const scanned = `${state.scanned.toLocaleString()} of ${state.total.toLocaleString()} keys scanned`;
  const where = revision ? ` at revision ${revision}` : "";
  const label =
    state.status === "running"
      ? `Searching… ${matches}, ${scanned}${where}`
      : state.status === "cancelled"
        ? `Cancelled: ${matches}, ${scanned}${where}`
        : state.status === "done"
          ? `${matches}, ${scanned}${where}${state.next ? "; more keys to search" : ""}`
          : `${matches}, ${scanned}${where}`;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <progress aria-label="Keys scanned" value={state.scanned} max={Math.max(1, state.total)} className="h-2 w-64" />
      <span role="status" className="text-sm text-slate-700">
        {label}
      </span>
      {state.status === "running" ? (
        <button type="button" onClick={onCancel} className="rounded border border-slate-300 px-2 py-0.5 text-sm hover:bg-slate-50">
          Cancel
        </button>
      ) : null}
    </div>
  );
}

function Result({ item, revision }: { item: SearchHitDto; revision?: number }) {
  const key = base64ToBytes(item.keyBase64);
  return (
    <li className="px-3 py-1.5">
      <KeyLink href={keyHref(key, { rev: revision })} className="font-mono text-[13px] text-blue-800 hover:underline">
        {item.key}
      </KeyLink>
      <div className="truncate text-xs text-slate-600">
        <span className="text-slate-400">{item.field === "key" ? "name" : item.field || "text"}:</span>{" "}
        <span className="font-mono">{item.snippet}</span>
        <span className="ml-2 text-slate-400">modified at revision {item.revision}</span>
      </div>
    </li>
  );
}
