import { queryOptions } from "@tanstack/react-query";
import type { MeDto } from "@/lib/api/dto";
import { fetchJson } from "./fetch-json";

/** Who the dashboard takes this browser for: the same whichever cluster a page looks at. */
export function meQuery() {
  return queryOptions({
    queryKey: ["me"],
    queryFn: ({ signal }) => fetchJson<MeDto>("/api/me", signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
}
