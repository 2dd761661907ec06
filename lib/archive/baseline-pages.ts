// How many keys one page of a baseline asks etcd for. A baseline reads every key's value, and
// a Kubernetes keyspace mixes 300-byte Leases with 1 MiB ConfigMaps, so a fixed count is either
// slow on small values or a response of hundreds of MiB on large ones. The first page is small;
// each next page is sized so that, were every value as large as the largest seen so far, the
// response would still stay near PAGE_TARGET_BYTES, well under gRPC's 4 MiB default message size.
// Pure.

export const PAGE_TARGET_BYTES = 1024 * 1024;
export const FIRST_PAGE_KEYS = 16;
export const MAX_PAGE_KEYS = 1_000;

/** The next page's key limit, from the largest key + value (bytes) seen in any page so far. */
export function nextPageLimit(largestEntryBytes: number): number {
  if (largestEntryBytes <= 0) return MAX_PAGE_KEYS;
  return Math.max(1, Math.min(MAX_PAGE_KEYS, Math.floor(PAGE_TARGET_BYTES / largestEntryBytes)));
}
