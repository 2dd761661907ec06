import { infiniteQueryOptions } from "@tanstack/react-query";
import type { LeaseDetailDto, LeasesDto } from "@/lib/api/dto";
import { clusterKey, withCluster, type ClusterName } from "./cluster";
import { fetchJson } from "./fetch-json";

export const leaseQueries = {
  list: (cluster: ClusterName) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "leases"],
      queryFn: ({ pageParam, signal }) => fetchJson<LeasesDto>(withCluster(`/api/leases?cursor=${pageParam}`, cluster), signal),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: 5_000,
    }),
  detail: (cluster: ClusterName, id: string) =>
    infiniteQueryOptions({
      queryKey: [clusterKey(cluster), "lease", id],
      queryFn: ({ pageParam, signal }) =>
        fetchJson<LeaseDetailDto>(withCluster(`/api/leases?id=${encodeURIComponent(id)}&cursor=${pageParam}`, cluster), signal),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: 5_000,
    }),
};
