import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { ChangesDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { clusterKey, withCluster, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

export type ChangeFilters = {
  prefix: string;
  from?: number;
  to?: number;
  /** The window's bounds as RFC 3339 times, when they are not given as revisions (from/to win). */
  since?: string;
  until?: string;
  type?: "PUT" | "DELETE";
  contains?: string;
  /** A field manager's exact name (metadata.managedFields[].manager). */
  manager?: string;
};

function toQuery(filters: ChangeFilters, cursor?: number): string {
  const parts = [`prefix=${encodeKeyParam(new TextEncoder().encode(filters.prefix))}`];
  const from = filters.from ?? filters.since;
  const to = filters.to ?? filters.until;
  if (from) parts.push(`from=${encodeURIComponent(String(from))}`);
  if (to) parts.push(`to=${encodeURIComponent(String(to))}`);
  if (filters.type) parts.push(`type=${filters.type}`);
  if (filters.contains) parts.push(`contains=${encodeKeyParam(new TextEncoder().encode(filters.contains))}`);
  if (filters.manager) parts.push(`manager=${encodeURIComponent(filters.manager)}`);
  if (cursor) parts.push(`cursor=${cursor}`);
  return parts.join("&");
}

export const changeQueries = {
  feed: (cluster: ClusterName, filters: ChangeFilters) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "changes", filters],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<ChangesDto>(withCluster(`/api/changes?${toQuery(filters, pageParam)}`, cluster), signal),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  /**
   * The same rows, with their summaries, for changes that arrived live in revisions from–to (the
   * watch stream carries no values to summarize). Revisions do not change: read once, kept.
   */
  arrived: (cluster: ClusterName, filters: ChangeFilters, from: number, to: number) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "changes", filters, "arrived", from, to],
      queryFn: ({ signal }) =>
        fetchJson<ChangesDto>(withCluster(`/api/changes?${toQuery({ ...filters, from, to })}&limit=1000`, cluster), signal),
      staleTime: Infinity,
    }),
};
