import "server-only";
import { getServerSettings } from "@/lib/env";
import { ARCHIVE_EVERY_KEY, archiveExclusion, type ArchiveKeyFilter } from "./key-filter";

// Which keys of a cluster the archive holds at all, for the views: a key the configuration leaves
// out (ETCDLENS_CONFIG clusters[].archive include/exclude) has no archived history, and a view
// says so ("not archived: excluded by configuration (/registry/events/)") instead of showing
// etcd's few retained versions as if they were all there is.

/** The include/exclude prefixes of a cluster's archive (empty lists: every key). */
export function archiveScope(cluster: string): ArchiveKeyFilter {
  return getServerSettings().clusters.find((entry) => entry.name === cluster)?.archive ?? ARCHIVE_EVERY_KEY;
}

/** True when the archive records `key` of `cluster`. */
export function isArchived(cluster: string, key: Buffer): boolean {
  return archiveExclusion(archiveScope(cluster), key) === null;
}

/** Why the archive holds nothing of `key` (e.g. "excluded by configuration (/registry/events/)"), or null when it records it. */
export function whyNotArchived(cluster: string, key: Buffer): string | null {
  return archiveExclusion(archiveScope(cluster), key);
}
