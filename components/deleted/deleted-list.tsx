"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { Link } from "@/components/ui/link";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import type { DeletedItemDto } from "@/lib/api/dto";
import { toYaml } from "@/lib/decode/yaml";
import { base64ToBytes, encodeKeyParam, keyHref } from "@/lib/keys";
import { withCluster, type ClusterName } from "@/lib/queries/cluster";
import { deletedQueries, type DeletedFilters } from "@/lib/queries/deleted";

// /deleted — every key deleted under a prefix in a window, newest first, grouped by Kubernetes
// kind and namespace for /registry/ objects, each row opening its last value as YAML and linking to
// the key at the revision before its deletion (where its history is).

function filtersToSearch(filters: DeletedFilters): string {
  const params = new URLSearchParams({ prefix: filters.prefix });
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  return `?${params.toString()}`;
}

function groupOf(item: DeletedItemDto): string {
  if (!item.kind) return "Other keys";
  return item.namespace ? `${item.kind} in ${item.namespace}` : item.kind;
}

function lastValueText(item: DeletedItemDto): string {
  const value = item.value;
  if (!value) return item.lastRevision === null ? "Its last value is compacted and not archived." : "You may not read this key's values.";
  if (value.format === "kubernetes") return toYaml(value.object);
  if (value.format === "text") return value.text;
  if (value.format === "json" || value.format === "yaml" || value.format === "cbor") return toYaml(value.data);
  return `A ${value.format} value; open it at the revision before its deletion.`;
}

export function DeletedList({ filters }: { filters: DeletedFilters }) {
  const router = useClusterRouter();
  const cluster = useClusterName();
  const query = useInfiniteQuery(deletedQueries.list(cluster, filters));
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  const before = items.length ? Math.min(...items.map((item) => item.deletedAt)) - 1 : undefined;
  const groups = new Map<string, DeletedItemDto[]>();
  for (const item of items) groups.set(groupOf(item), [...(groups.get(groupOf(item)) ?? []), item]);
  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-center gap-2">
        <h1 className="text-base font-semibold">Deleted</h1>
        <CopyLinkButton />
        <Link className="text-xs text-blue-700 hover:underline" href={`/changes${filtersToSearch(filters)}&type=DELETE`}>
          as changes
        </Link>
      </div>
      <DeletedForm filters={filters} onApply={(next) => router.push(`/deleted${filtersToSearch(next)}`)} />
      {query.isPending ? <Loading label="Reading etcd's history…" /> : null}
      {query.isError ? <ErrorPanel title="Could not read the deletions">{query.error.message}</ErrorPanel> : null}
      {query.data ? (
        <p role="status" aria-label="Deleted keys found">
          {items.length.toLocaleString()} deleted key{items.length === 1 ? "" : "s"}
          {query.hasNextPage ? " so far" : ""}.
          {before !== undefined ? (
            <>
              {" "}
              <a className="text-blue-700 hover:underline" href={exportHref(cluster, { prefix: filters.prefix }, before)}>
                Export these: {filters.prefix} at revision {before} as YAML
              </a>{" "}
              <span className="text-slate-500">(the prefix as it was before the oldest deletion shown, for kubectl apply)</span>
            </>
          ) : null}
        </p>
      ) : null}
      {[...groups.entries()].map(([group, rows]) => (
        <section key={group} aria-label={group} className="rounded border border-slate-200 bg-white">
          <h2 className="border-b border-slate-200 px-3 py-1 font-medium">
            {group} <span className="text-slate-500">({rows.length})</span>
          </h2>
          <ul>
            {rows.map((item) => (
              <DeletedRow key={`${item.keyBase64}@${item.deletedAt}`} item={item} />
            ))}
          </ul>
        </section>
      ))}
      {query.hasNextPage ? (
        <button
          type="button"
          className="text-xs font-medium text-blue-700 hover:underline"
          disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? "Reading older history…" : "Show older deletions"}
        </button>
      ) : null}
    </div>
  );
}

function exportHref(cluster: ClusterName, scope: { prefix: string } | { key: Uint8Array }, revision: number): string {
  const what = "key" in scope ? `key=${encodeKeyParam(scope.key)}` : `prefix=${encodeKeyParam(new TextEncoder().encode(scope.prefix))}`;
  return withCluster(`/api/export?${what}&rev=${revision}&format=yaml`, cluster);
}

function DeletedRow({ item }: { item: DeletedItemDto }) {
  const [open, setOpen] = useState(false);
  const cluster = useClusterName();
  const key = base64ToBytes(item.keyBase64);
  return (
    <li className="border-b border-slate-100 px-3 py-1 last:border-0">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" aria-expanded={open} className="text-xs text-blue-700 hover:underline" onClick={() => setOpen(!open)}>
          {open ? "hide" : "last value"}
        </button>
        <span className="font-mono">{item.key}</span>
        <span className="text-slate-500">
          deleted at {item.deletedAt}
          {item.time ? ` (${item.timeEstimated ? "≈ " : ""}${item.time})` : ""}
        </span>
        {item.existsNow ? <span className="text-amber-700">re-created since</span> : null}
        {item.lease ? <span className="text-slate-500">leased ({item.lease}): maybe expired</span> : null}
        <Link className="text-xs text-blue-700 hover:underline" href={keyHref(key, { rev: item.deletedAt - 1 })}>
          at revision {item.deletedAt - 1}
        </Link>
        {item.lastRevision !== null ? (
          <a className="text-xs text-blue-700 hover:underline" href={exportHref(cluster, { key }, item.deletedAt - 1)}>
            YAML
          </a>
        ) : null}
      </div>
      {open ? (
        <pre aria-label={`Last value of ${item.key}`} className="mt-1 overflow-auto bg-slate-50 p-2 font-mono text-xs">
          {lastValueText(item)}
        </pre>
      ) : null}
    </li>
  );
}

function DeletedForm({ filters, onApply }: { filters: DeletedFilters; onApply: (filters: DeletedFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ prefix: draft.prefix, from: draft.from?.trim() || undefined, to: draft.to?.trim() || undefined });
  };
  const field = (name: "from" | "to", label: string) => (
    <label className="flex flex-col text-xs text-slate-600">
      {label}
      <input
        className="w-52 rounded border border-slate-300 px-2 py-1 text-sm"
        title="A revision, or a time such as 2026-11-20T10:00:00Z"
        placeholder="revision or time"
        value={draft[name] ?? ""}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </label>
  );
  return (
    <form
      onSubmit={submit}
      aria-label="Filter deletions"
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
      {field("from", "From (revision or time)")}
      {field("to", "To (revision or time)")}
      <button type="submit" className="rounded bg-slate-800 px-3 py-1 text-white">
        Show
      </button>
    </form>
  );
}
