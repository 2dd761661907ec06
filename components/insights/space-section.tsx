"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { KeyLink } from "@/components/key-tree/key-link";
import { SizingNotice } from "@/components/key-tree/level-status";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import type { StatsDto, StatsItemDto } from "@/lib/api/dto";
import { base64ToBytes, keyHref, keyToDisplay } from "@/lib/keys";
import { withCluster, type ClusterName } from "@/lib/queries/cluster";
import { statsQueries } from "@/lib/queries/stats";
import { formatBytes, formatRate, formatShare } from "@/lib/text/figures";

// Insights' space section: where the bytes and the writes of a prefix go, from the folder index
// (GET /api/stats ranked): its largest sub-folders by value bytes and by keys, its largest values,
// and its busiest sub-folders by writes per minute. Exact once the sizing pass is done; until then
// it says how far it got.

const TOP = 10;

export function SpaceSection({ cluster, prefix }: { cluster: ClusterName; prefix: Uint8Array }) {
  const byBytes = useQuery(statsQueries.ranked(cluster, prefix, "bytes", TOP));
  const byKeys = useQuery(statsQueries.ranked(cluster, prefix, "keys", TOP));
  const byWrites = useQuery(statsQueries.ranked(cluster, prefix, "writes", TOP));
  const shown = prefix.length > 0 ? keyToDisplay(prefix) : "the whole keyspace";
  return (
    <section aria-labelledby="space-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="space-heading" className="text-base font-semibold">
          Space and writes under <span className="font-mono">{shown}</span>
        </h2>
        {byBytes.data?.sizing.state === "sizing" ? <SizingNotice sizing={byBytes.data.sizing} /> : null}
      </div>
      {byBytes.data?.level ? <p className="text-sm text-slate-600">{describeLevel(byBytes.data, prefix.length > 0)}</p> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Ranked title="Largest folders by bytes" query={byBytes} cluster={cluster} figure={(item) => formatBytes(item.bytes ?? 0)} share />
        <Ranked
          title="Largest folders by keys"
          query={byKeys}
          cluster={cluster}
          figure={(item) => (item.keys ?? 0).toLocaleString("en-US")}
        />
        <LargestKeys query={byBytes} cluster={cluster} />
        <Ranked
          title="Busiest folders (writes/min)"
          query={byWrites}
          cluster={cluster}
          figure={(item) => `${formatRate(item.writesPerMinute ?? 0)} · ${item.writesPerMinute10 ?? 0} · ${item.writesPerMinute60 ?? 0}`}
          note="last 1 · 10 · 60 minutes"
        />
      </div>
    </section>
  );
}

function describeLevel(stats: StatsDto, ofKeyspace: boolean): string {
  const level = stats.level!;
  const share = ofKeyspace && stats.keyspace ? ` (${formatShare(level.bytes, stats.keyspace.bytes)} of the keyspace)` : "";
  return (
    `${level.keys.toLocaleString("en-US")} keys, ${formatBytes(level.bytes)} of values${share}, ` +
    `${formatRate(level.writesPerMinute)} in the last minute. Bytes are the sizes of the current values; keys are not counted.`
  );
}

type StatsQuery = { data?: StatsDto; isPending: boolean; isError: boolean; error: Error | null };

function Panel({ title, note, children }: { title: string; note?: string; children: ReactNode }) {
  return (
    <div className="rounded border border-slate-200 p-3">
      <h3 className="text-sm font-semibold">
        {title}
        {note ? <span className="ml-2 text-xs font-normal text-slate-500">{note}</span> : null}
      </h3>
      <div className="mt-2">{children}</div>
    </div>
  );
}

/** What a panel shows instead of its table: loading, an error, the index still being built; null once there are figures. */
function queryNotice(query: StatsQuery): ReactNode {
  if (query.isPending) return <Loading label="Reading the folder index…" />;
  if (query.isError) return <ErrorPanel title="Could not read the figures">{query.error?.message}</ErrorPanel>;
  if (query.data?.indexing)
    return (
      <p className="text-xs text-amber-800">
        Indexing the keyspace: {query.data.indexing.keysScanned.toLocaleString("en-US")} keys read so far.
      </p>
    );
  return null;
}

function Ranked({
  title,
  note,
  query,
  cluster,
  figure,
  share,
}: {
  title: string;
  note?: string;
  query: StatsQuery;
  cluster: ClusterName;
  figure: (item: StatsItemDto) => string;
  share?: boolean;
}) {
  const pending = queryNotice(query);
  const items = query.data?.items ?? [];
  const whole = query.data?.keyspace?.bytes;
  return (
    <Panel title={title} note={note}>
      {pending ?? (
        <table className="w-full text-sm">
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td className="text-xs text-slate-500">No folders here.</td>
              </tr>
            ) : null}
            {items.map((item) => (
              <tr key={item.keyBase64} className="border-t border-slate-100">
                <td className="max-w-0 truncate py-0.5 pr-2">
                  <KeyLink
                    href={withCluster(keyHref(base64ToBytes(item.keyBase64)), cluster)}
                    className="font-mono text-[13px] text-blue-800 hover:underline"
                    title={item.key}
                  >
                    {item.name || "(empty name)"}/
                  </KeyLink>
                </td>
                <td className="whitespace-nowrap py-0.5 text-right tabular-nums">{figure(item)}</td>
                {share ? (
                  <td className="w-12 whitespace-nowrap py-0.5 text-right text-xs tabular-nums text-slate-500">
                    {formatShare(item.bytes ?? 0, whole) ?? ""}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function LargestKeys({ query, cluster }: { query: StatsQuery; cluster: ClusterName }) {
  const pending = queryNotice(query);
  const keys = query.data?.largestKeys ?? [];
  return (
    <Panel title="Largest values" note="current value size">
      {pending ?? (
        <table className="w-full text-sm">
          <tbody>
            {keys.length === 0 ? (
              <tr>
                <td className="text-xs text-slate-500">
                  {query.data?.sizing.state === "ready" ? "No values here." : "Known once sizing is done."}
                </td>
              </tr>
            ) : null}
            {keys.map((entry) => (
              <tr key={entry.keyBase64} className="border-t border-slate-100">
                <td className="max-w-0 truncate py-0.5 pr-2">
                  <KeyLink
                    href={withCluster(keyHref(base64ToBytes(entry.keyBase64)), cluster)}
                    className="font-mono text-[13px] text-blue-800 hover:underline"
                    title={entry.key}
                  >
                    {entry.key}
                  </KeyLink>
                </td>
                <td className="whitespace-nowrap py-0.5 text-right tabular-nums">{formatBytes(entry.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
