import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { ChildDto, ChildrenDto, ClusterDto, ClusterHeaderDto, ClustersDto, DiffDto, HistoryDto, KeyDto } from "@/lib/api/dto";
import { bytesFromText, bytesToBase64 as b64, encodeKeyParam } from "@/lib/keys";
import { clusterKey, withCluster, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

// Query-key factories and fetchers for the browser. Keys are passed around as bytes and put into
// URLs with the API's percent-encoding; query keys use base64 so that they compare exactly.
// Every factory takes the cluster first: it is the first element of the query key and a
// parameter of the URL, so an answer is cached, and asked for, under the cluster it came from.

export { clusterKey, isQueryOf, withCluster, type ClusterName } from "./cluster";

/** An API URL on `cluster` with the given parameters (already encoded; empty ones left out). */
export function apiUrl(cluster: ClusterName, path: string, params: Record<string, string | number | undefined> = {}): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([name, value]) => `${name}=${value}`);
  return withCluster(parts.length ? `${path}?${parts.join("&")}` : path, cluster);
}

export const CHILDREN_PAGE_SIZE = 200;
export const HISTORY_PAGE_SIZE = 50;

/** The configured clusters: the one answer that is the same whichever cluster a page looks at. */
export function clusterListQuery() {
  return queryOptions({
    queryKey: ["clusters"],
    queryFn: ({ signal }) => fetchJson<ClustersDto>("/api/clusters", signal),
    staleTime: Infinity,
    retry: false,
  });
}

export const clusterQueries = {
  header: (cluster: ClusterName) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "cluster", "header"],
      queryFn: ({ signal }) => fetchJson<ClusterHeaderDto>(apiUrl(cluster, "/api/cluster", { view: "header" }), signal),
      refetchInterval: 5_000,
      retry: false,
    }),
  overview: (cluster: ClusterName) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "cluster", "overview"],
      queryFn: ({ signal }) => fetchJson<ClusterDto>(apiUrl(cluster, "/api/cluster"), signal),
      refetchInterval: 10_000,
    }),
};

export const keyQueries = {
  children: (cluster: ClusterName, prefix: Uint8Array, revision?: number, contains?: string) =>
    infiniteQueryOptions({
      // The filter is last so that invalidating a level refetches its filtered views too.
      queryKey: [clusterKey(cluster), "children", b64(prefix), revision ?? "current", ...(contains ? [contains] : [])],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<ChildrenDto>(
          apiUrl(cluster, "/api/keys", {
            prefix: encodeKeyParam(prefix),
            rev: revision,
            cursor: pageParam,
            limit: CHILDREN_PAGE_SIZE,
            contains: contains ? encodeKeyParam(new TextEncoder().encode(contains)) : undefined,
          }),
          signal,
        ),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      // While the server builds its folder index the answer says so and holds no items yet.
      refetchInterval: (query) => (query.state.data?.pages[0]?.indexing ? 1_000 : false),
    }),

  value: (cluster: ClusterName, key: Uint8Array, revision?: number) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "value", b64(key), revision ?? "current"],
      queryFn: ({ signal }) => fetchJson<KeyDto>(apiUrl(cluster, "/api/key", { key: encodeKeyParam(key), rev: revision }), signal),
    }),

  history: (cluster: ClusterName, key: Uint8Array) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "history", b64(key)],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<HistoryDto>(
          apiUrl(cluster, "/api/history", { key: encodeKeyParam(key), before: pageParam, limit: HISTORY_PAGE_SIZE }),
          signal,
        ),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.next ?? undefined,
    }),

  diff: (cluster: ClusterName, key: Uint8Array, from: number, to: number) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "diff", b64(key), from, to],
      queryFn: ({ signal }) => fetchJson<DiffDto>(apiUrl(cluster, "/api/diff", { key: encodeKeyParam(key), from, to }), signal),
      // Two past revisions never change.
      staleTime: Infinity,
    }),

  /** The jump box's suggestions for what has been typed (one level of keys under it). */
  complete: (cluster: ClusterName, typed: string) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "complete", typed],
      queryFn: ({ signal }) =>
        fetchJson<{ items: ChildDto[] }>(apiUrl(cluster, "/api/complete", { q: encodeKeyParam(bytesFromText(typed)), limit: 12 }), signal),
      enabled: typed.length > 0,
      staleTime: 5_000,
    }),
};

export function rawValueUrl(cluster: ClusterName, key: Uint8Array, revision?: number): string {
  return apiUrl(cluster, "/api/raw", { key: encodeKeyParam(key), rev: revision });
}

/** The URL that reveals one masked field of a Secret (`path` names the field in the object). */
export function secretValueUrl(cluster: ClusterName, key: Uint8Array, revision: number, path: string[]): string {
  return apiUrl(cluster, "/api/secret", { key: encodeKeyParam(key), rev: revision, path: encodeURIComponent(JSON.stringify(path)) });
}
