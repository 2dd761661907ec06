import { infiniteQueryOptions } from "@tanstack/react-query";
import type { DeletedDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { clusterKey, withCluster, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

/** What /deleted shows: a prefix and a window, each bound a revision or an RFC 3339 time. */
export type DeletedFilters = { prefix: string; from?: string; to?: string };

export function deletedQueryString(filters: DeletedFilters, cursor?: number): string {
  const parts = [`prefix=${encodeKeyParam(new TextEncoder().encode(filters.prefix))}`];
  if (filters.from) parts.push(`from=${encodeURIComponent(filters.from)}`);
  if (filters.to) parts.push(`to=${encodeURIComponent(filters.to)}`);
  if (cursor) parts.push(`cursor=${cursor}`);
  return parts.join("&");
}

export const deletedQueries = {
  list: (cluster: ClusterName, filters: DeletedFilters) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "deleted", filters],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<DeletedDto>(withCluster(`/api/deleted?${deletedQueryString(filters, pageParam)}`, cluster), signal),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.next ?? undefined,
    }),
};
