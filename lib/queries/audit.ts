import { infiniteQueryOptions } from "@tanstack/react-query";
import type { AuditPageDto } from "@/lib/api/dto";
import { fetchJson } from "./fetch-json";

// The audit trail spans every cluster (each entry names its own), so its query key starts with
// "audit" rather than a cluster; the filters are part of the key.

export type AuditFilters = { user?: string; action?: string; outcome?: string };

export const AUDIT_PAGE_SIZE = 50;

/** /api/audit with the filters given (empty ones left out) and the page's start. */
export function auditUrl(filters: AuditFilters, before?: string): string {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  for (const [name, value] of Object.entries({ ...filters, before })) if (value) params.set(name, value);
  return `/api/audit?${params.toString()}`;
}

export const auditQueries = {
  list: (filters: AuditFilters) =>
    infiniteQueryOptions({
      queryKey: ["audit", filters.user ?? "", filters.action ?? "", filters.outcome ?? ""],
      queryFn: ({ pageParam, signal }) => fetchJson<AuditPageDto>(auditUrl(filters, pageParam), signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextBefore ?? undefined,
      refetchInterval: 10_000,
    }),
};
