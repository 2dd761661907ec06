"use client";

import { useQuery } from "@tanstack/react-query";
import type { WriterRankDto } from "@/lib/api/dto";
import { insightsQueries } from "@/lib/queries/insights";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { formatCount, formatRate } from "./format";

// The busiest writers from the live watch: the server counts while this page is open (it polls),
// so the figures start at zero when the page is first opened and cover at most the last 10 minutes.
export function BusiestWriters() {
  const query = useQuery(insightsQueries.writers(useClusterName()));
  if (query.isPending) return <Loading label="Starting to count writes…" />;
  if (query.isError) return <ErrorPanel title="Could not count writes">{query.error.message}</ErrorPanel>;
  const writers = query.data;
  return (
    <div className="space-y-3">
      <p className="text-slate-600">
        {formatCount(writers.totalWrites)} writes in the last {writers.minutes.toFixed(1)} min (counted since{" "}
        {new Date(writers.sinceMs).toLocaleTimeString("en-GB")}, while this page is open).
        {writers.hiddenPrefixes > 0 ? ` ${writers.hiddenPrefixes} prefixes you see only in part are left out.` : ""}
      </p>
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
        <RankTable title="Prefixes" column="prefix" ranks={writers.prefixes} />
        {writers.kubernetes ? (
          <>
            <RankTable title="Kinds" column="kind" ranks={writers.kubernetes.kinds} />
            <RankTable title="Namespaces" column="namespace" ranks={writers.kubernetes.namespaces} />
            <RankTable title="Managers" column="manager" ranks={writers.kubernetes.managers} />
          </>
        ) : (
          <p className="text-slate-600">Kinds, namespaces and managers need the list right on all of the Kubernetes prefixes.</p>
        )}
      </div>
    </div>
  );
}

function RankTable({ title, column, ranks }: { title: string; column: string; ranks: WriterRankDto[] }) {
  return (
    <table aria-label={`Busiest ${title.toLowerCase()}`} className="w-full border border-slate-200 bg-white">
      <caption className="px-2 py-1 text-left text-xs font-semibold text-slate-600">{title}</caption>
      <thead className="bg-slate-50 text-left text-xs text-slate-500">
        <tr>
          <th className="px-2 py-1">{column}</th>
          <th className="px-2 py-1 text-right">writes/min</th>
          <th className="px-2 py-1 text-right">writes</th>
        </tr>
      </thead>
      <tbody>
        {ranks.length === 0 ? (
          <tr>
            <td colSpan={3} className="px-2 py-1 text-slate-500">
              none yet
            </td>
          </tr>
        ) : (
          ranks.map((rank) => (
            <tr key={rank.label} className="border-t border-slate-100">
              <td className="max-w-48 truncate px-2 py-1 font-mono text-xs" title={rank.label}>
                {rank.label}
              </td>
              <td className="px-2 py-1 text-right font-mono">{formatRate(rank.writesPerMinute)}</td>
              <td className="px-2 py-1 text-right font-mono">{formatCount(rank.writes)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
