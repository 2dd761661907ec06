"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { GrowthSeriesDto } from "@/lib/api/dto";
import { bytesFromText } from "@/lib/keys";
import { insightsQueries } from "@/lib/queries/insights";
import { ErrorPanel, Loading, NoticePanel } from "@/components/ui/panels";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { SERIES_CLASSES, TimeChart } from "./time-chart";
import { formatBytes, formatCount, formatRate } from "./format";

// Growth over time from the archive: writes per minute and bytes stored per folder under a prefix,
// over 24 hours or 7 days, as two charts with the numbers in a table beside them.
export function GrowthSection({ defaultPrefix }: { defaultPrefix: string }) {
  const cluster = useClusterName();
  const [range, setRange] = useState<"24h" | "7d">("24h");
  const [prefix, setPrefix] = useState(defaultPrefix);
  const [draft, setDraft] = useState(defaultPrefix);
  const query = useQuery(insightsQueries.growth(cluster, bytesFromText(prefix), range));

  return (
    <div className="space-y-3">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          setPrefix(draft);
        }}
      >
        <label className="flex flex-col text-xs text-slate-600">
          Folders under
          <input
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            className="w-64 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm text-slate-900"
          />
        </label>
        <button type="submit" className="rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-800 hover:bg-slate-100">
          Show
        </button>
        <fieldset className="flex gap-1 text-sm" aria-label="Range">
          {(["24h", "7d"] as const).map((choice) => (
            <label
              key={choice}
              className={`cursor-pointer rounded border px-2 py-1 ${choice === range ? "border-blue-600 bg-blue-50 text-blue-800" : "border-slate-300 bg-white text-slate-700"}`}
            >
              <input
                type="radio"
                name="range"
                value={choice}
                checked={choice === range}
                onChange={() => setRange(choice)}
                className="sr-only"
              />
              {choice === "24h" ? "24 hours" : "7 days"}
            </label>
          ))}
        </fieldset>
      </form>
      <GrowthBody query={query} />
    </div>
  );
}

function GrowthBody({ query }: { query: ReturnType<typeof useQuery<import("@/lib/api/dto").InsightsGrowthDto>> }) {
  const growth = query.data;
  const times = useMemo(() => (growth?.archive === "on" ? growth.bucketStarts : []), [growth]);
  const writes = useMemo(
    () => (growth?.archive === "on" ? growth.series.map((line) => ({ label: line.folder, values: line.writesPerMinute })) : []),
    [growth],
  );
  const bytes = useMemo(
    () => (growth?.archive === "on" ? growth.series.map((line) => ({ label: line.folder, values: line.bytes })) : []),
    [growth],
  );
  if (query.isPending) return <Loading label="Reading the archive…" />;
  if (query.isError) return <ErrorPanel title="Could not read the archive">{query.error.message}</ErrorPanel>;
  if (!growth || growth.archive === "off") return <NoticePanel title="The archive is off">{growth?.message}</NoticePanel>;
  const bucketMinutes = growth.bucketMs / 60_000;
  return (
    <div className="space-y-3">
      {growth.series.length === 0 ? (
        <p className="text-slate-600">The archive recorded no writes under {growth.prefix} in this range.</p>
      ) : (
        <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <figure className="min-w-0">
            <figcaption className="text-xs text-slate-600">Writes per minute ({bucketMinutes}-minute buckets)</figcaption>
            <TimeChart title={`Writes per minute under ${growth.prefix}`} times={times} series={writes} formatValue={formatRate} />
          </figure>
          <figure className="min-w-0">
            <figcaption className="text-xs text-slate-600">
              Bytes stored per {bucketMinutes === 60 ? "hour" : `${bucketMinutes} minutes`}
            </figcaption>
            <TimeChart title={`Bytes stored under ${growth.prefix}`} times={times} series={bytes} formatValue={formatBytes} />
          </figure>
        </div>
      )}
      {growth.series.length > 0 ? (
        <GrowthTable series={growth.series} minutes={(growth.bucketStarts.length * growth.bucketMs) / 60_000} />
      ) : null}
      <p className="text-xs text-slate-500">
        From the revisions the archive recorded live (history it copied from etcd at its start has no time of its own). Bytes are as the
        archive stores them: compressed, a version against the one before it.
        {growth.hiddenFolders > 0 ? ` ${growth.hiddenFolders} folders you see only in part are left out.` : ""}
        {growth.truncated ? " Too many folders to show them all: the busiest are counted." : ""}
      </p>
    </div>
  );
}

function GrowthTable({ series, minutes }: { series: GrowthSeriesDto[]; minutes: number }) {
  return (
    <table aria-label="Growth per folder" className="w-full border border-slate-200 bg-white">
      <thead className="bg-slate-50 text-left text-xs text-slate-500">
        <tr>
          <th className="px-2 py-1">folder</th>
          <th className="px-2 py-1 text-right">writes</th>
          <th className="px-2 py-1 text-right">average writes/min</th>
          <th className="px-2 py-1 text-right">peak writes/min</th>
          <th className="px-2 py-1 text-right">bytes stored</th>
        </tr>
      </thead>
      <tbody>
        {series.map((line, i) => (
          <tr key={line.folder} className="border-t border-slate-100">
            <td className="px-2 py-1 font-mono text-xs">
              <span aria-hidden className={`mr-1 ${SERIES_CLASSES[i % SERIES_CLASSES.length]}`}>
                ■
              </span>
              {line.folder}
            </td>
            <td className="px-2 py-1 text-right font-mono">{formatCount(line.totalWrites)}</td>
            <td className="px-2 py-1 text-right font-mono">{formatRate(line.totalWrites / minutes)}</td>
            <td className="px-2 py-1 text-right font-mono">{formatRate(Math.max(...line.writesPerMinute))}</td>
            <td className="px-2 py-1 text-right font-mono">{formatBytes(line.totalBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
