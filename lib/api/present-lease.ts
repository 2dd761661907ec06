import "server-only";
import type { LeaseDetail, LeaseSummary } from "@/lib/etcd/leases";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { LeaseDetailDto, LeaseDto, LeasesDto } from "./dto";

// The one place leases (LeasesDto, LeaseDetailDto) are built. IDs stay decimal strings: a 64-bit
// ID must not pass through a float.

function presentLeaseSummary(lease: LeaseSummary): LeaseDto {
  return { id: lease.id, grantedTtl: lease.grantedTtl, remainingTtl: lease.remainingTtl };
}

export function presentLeases(page: { items: LeaseSummary[]; total: number; nextCursor: number | null }): LeasesDto {
  return { items: page.items.map(presentLeaseSummary), total: page.total, nextCursor: page.nextCursor };
}

export function presentLeaseDetail(lease: LeaseDetail): LeaseDetailDto {
  return {
    ...presentLeaseSummary(lease),
    keys: lease.keys.map((key) => ({ key: keyToDisplay(key), keyBase64: bytesToBase64(key) })),
    totalKeys: lease.totalKeys,
    ...(lease.someHidden ? { someHidden: true as const } : {}),
    nextCursor: lease.nextCursor,
  };
}
