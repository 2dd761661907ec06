import { infiniteQueryOptions } from "@tanstack/react-query";
import type { LeaseDetailDto, LeasesDto } from "@/lib/api/dto";
import { fetchJson } from "./fetch-json";

export const leaseQueries = {
  list: () =>
    infiniteQueryOptions({
      queryKey: ["leases"],
      queryFn: ({ pageParam, signal }) => fetchJson<LeasesDto>(`/api/leases?cursor=${pageParam}`, signal),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: 5_000,
    }),
  detail: (id: string) =>
    infiniteQueryOptions({
      queryKey: ["lease", id],
      queryFn: ({ pageParam, signal }) => fetchJson<LeaseDetailDto>(`/api/leases?id=${id}&cursor=${pageParam}`, signal),
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      refetchInterval: 5_000,
    }),
};
