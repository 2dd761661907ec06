import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { ChildrenDto, ClusterDto, ClusterHeaderDto, DiffDto, HistoryDto, KeyDto } from "@/lib/api/dto";
import { bytesToBase64 as b64, encodeKeyParam } from "@/lib/keys";
import { withActiveCluster } from "./active-cluster";
import { fetchJson } from "./fetch-json";

// Query-key factories and fetchers for the browser. Keys are passed around as bytes and put into
// URLs with the API's percent-encoding; query keys use base64 so that they compare exactly.


function withParams(path: string, params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([name, value]) => `${name}=${value}`);
  return parts.length ? `${path}?${parts.join("&")}` : path;
}

export const CHILDREN_PAGE_SIZE = 200;
export const HISTORY_PAGE_SIZE = 50;

export const clusterQueries = {
  header: () =>
    queryOptions({
      queryKey: ["cluster", "header"],
      queryFn: ({ signal }) => fetchJson<ClusterHeaderDto>("/api/cluster?view=header", signal),
      refetchInterval: 5_000,
      retry: false,
    }),
  overview: () =>
    queryOptions({
      queryKey: ["cluster", "overview"],
      queryFn: ({ signal }) => fetchJson<ClusterDto>("/api/cluster", signal),
      refetchInterval: 10_000,
    }),
};

export const keyQueries = {
  children: (prefix: Uint8Array, revision?: number, contains?: string) =>
    infiniteQueryOptions({
      // The filter is last so that invalidating a level refetches its filtered views too.
      queryKey: ["children", b64(prefix), revision ?? "current", ...(contains ? [contains] : [])],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<ChildrenDto>(
          withParams("/api/keys", {
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

  value: (key: Uint8Array, revision?: number) =>
    queryOptions({
      queryKey: ["value", b64(key), revision ?? "current"],
      queryFn: ({ signal }) => fetchJson<KeyDto>(withParams("/api/key", { key: encodeKeyParam(key), rev: revision }), signal),
    }),

  history: (key: Uint8Array) =>
    infiniteQueryOptions({
      queryKey: ["history", b64(key)],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<HistoryDto>(
          withParams("/api/history", { key: encodeKeyParam(key), before: pageParam, limit: HISTORY_PAGE_SIZE }),
          signal,
        ),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.next ?? undefined,
    }),

  diff: (key: Uint8Array, from: number, to: number) =>
    queryOptions({
      queryKey: ["diff", b64(key), from, to],
      queryFn: ({ signal }) => fetchJson<DiffDto>(withParams("/api/diff", { key: encodeKeyParam(key), from, to }), signal),
      // Two past revisions never change.
      staleTime: Infinity,
    }),
};

export function rawValueUrl(key: Uint8Array, revision?: number): string {
  return withActiveCluster(withParams("/api/raw", { key: encodeKeyParam(key), rev: revision }));
}
