import { infiniteQueryOptions, queryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import type { StatsDto, StatsItemDto } from "@/lib/api/dto";
import { bytesToBase64 as b64, encodeKeyParam } from "@/lib/keys";
import { CHILDREN_PAGE_SIZE, apiUrl } from "./index";
import { clusterKey, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

// Space and churn (GET /api/stats) for the browser: a level's children with their bytes and write
// rates, paged like the tree's own listing (same page size, same cursors), so a row's figures
// arrive with the page that lists it; and a level's folders ranked by one figure, for Insights.

/** A level refreshes while sizing runs (the figures grow) and every 10 s for its rates, while few pages are loaded. */
const SIZING_REFRESH_MS = 2_000;
const RATES_REFRESH_MS = 10_000;
const REFRESHED_PAGES = 3;

export type StatsSort = "bytes" | "keys" | "writes";

export const statsQueries = {
  level: (cluster: ClusterName, prefix: Uint8Array) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "stats", b64(prefix)],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<StatsDto>(
          apiUrl(cluster, "/api/stats", { prefix: encodeKeyParam(prefix), cursor: pageParam, limit: CHILDREN_PAGE_SIZE }),
          signal,
        ),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: (query) => refreshOf(query.state.data?.pages),
    }),

  ranked: (cluster: ClusterName, prefix: Uint8Array, sort: StatsSort, limit: number) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "stats", b64(prefix), "ranked", sort, limit],
      queryFn: ({ signal }) => fetchJson<StatsDto>(apiUrl(cluster, "/api/stats", { prefix: encodeKeyParam(prefix), sort, limit }), signal),
      refetchInterval: (query) => refreshOf(query.state.data ? [query.state.data] : undefined),
    }),
};

function refreshOf(pages: StatsDto[] | undefined): number | false {
  const first = pages?.[0];
  if (!first) return false;
  if (first.indexing || first.sizing.state !== "ready") return SIZING_REFRESH_MS;
  return pages.length <= REFRESHED_PAGES ? RATES_REFRESH_MS : false;
}

export type LevelStatsView = {
  /** Figures by the child's keyBase64. */
  byKey: ReadonlyMap<string, StatsItemDto>;
  /** The whole keyspace's value bytes, for shares (unknown when the viewer sees only part of it). */
  keyspaceBytes: number | undefined;
  sizing: StatsDto["sizing"] | undefined;
};

/**
 * The figures of a level's children, for as many pages as the listing beside it has loaded
 * (`loadedPages`): a 50,000-child folder asks for its figures page by page as it is scrolled.
 */
export function useLevelStats(cluster: ClusterName, prefix: Uint8Array, loadedPages: number, enabled = true): LevelStatsView {
  const query = useInfiniteQuery({ ...statsQueries.level(cluster, prefix), enabled });
  const pages = query.data?.pages;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const have = pages?.length ?? 0;
  useEffect(() => {
    if (enabled && hasNextPage && !isFetchingNextPage && have < loadedPages) void fetchNextPage();
  }, [enabled, hasNextPage, isFetchingNextPage, have, loadedPages, fetchNextPage]);
  return useMemo(() => {
    const byKey = new Map<string, StatsItemDto>();
    for (const page of pages ?? []) for (const item of page.items) byKey.set(item.keyBase64, item);
    const last = pages?.[pages.length - 1];
    return { byKey, keyspaceBytes: last?.keyspace?.bytes, sizing: last?.indexing ? undefined : last?.sizing };
  }, [pages]);
}
