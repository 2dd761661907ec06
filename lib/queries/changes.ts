import { infiniteQueryOptions } from "@tanstack/react-query";
import type { ChangesDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { fetchJson } from "./fetch-json";

export type ChangeFilters = { prefix: string; from?: number; to?: number; type?: "PUT" | "DELETE"; contains?: string };

function toQuery(filters: ChangeFilters, cursor?: number): string {
  const parts = [`prefix=${encodeKeyParam(new TextEncoder().encode(filters.prefix))}`];
  if (filters.from) parts.push(`from=${filters.from}`);
  if (filters.to) parts.push(`to=${filters.to}`);
  if (filters.type) parts.push(`type=${filters.type}`);
  if (filters.contains) parts.push(`contains=${encodeKeyParam(new TextEncoder().encode(filters.contains))}`);
  if (cursor) parts.push(`cursor=${cursor}`);
  return parts.join("&");
}

export const changeQueries = {
  feed: (filters: ChangeFilters) =>
    infiniteQueryOptions({
      queryKey: ["changes", filters],
      queryFn: ({ pageParam, signal }) => fetchJson<ChangesDto>(`/api/changes?${toQuery(filters, pageParam)}`, signal),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
};
