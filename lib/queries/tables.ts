import { infiniteQueryOptions } from "@tanstack/react-query";
import type { TableDto } from "@/lib/api/dto";
import { bytesToBase64 as b64, encodeKeyParam } from "@/lib/keys";
import { apiUrl, CHILDREN_PAGE_SIZE } from "./index";
import { clusterKey, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

// The kubectl-style table of a folder: the same pages as the folder's listing (200 children at a
// time, by the listing's cursor), each with its rows decoded on the server.

export const tableQueries = {
  folder: (cluster: ClusterName, prefix: Uint8Array, revision?: number) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "table", b64(prefix), revision ?? "current"],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<TableDto>(
          apiUrl(cluster, "/api/table", { prefix: encodeKeyParam(prefix), rev: revision, cursor: pageParam, limit: CHILDREN_PAGE_SIZE }),
          signal,
        ),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: (query) => (query.state.data?.pages[0]?.indexing ? 1_000 : false),
      // A past revision never changes; the current one is refreshed when the folder is reopened.
      staleTime: revision === undefined ? 0 : Infinity,
    }),
};
