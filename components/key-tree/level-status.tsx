import type { ChildrenDto } from "@/lib/api/dto";

// What a level says while it cannot list yet: the server's first folder index build after start,
// or a listing at a past revision, which scans etcd (or the archive, once etcd compacted it) and
// takes longer on wide levels.

export function indexingOf(pages: ChildrenDto[] | undefined): ChildrenDto["indexing"] {
  return pages?.[0]?.indexing;
}

export function IndexingNotice({ indexing }: { indexing: NonNullable<ChildrenDto["indexing"]> }) {
  return (
    <p role="status" className="px-2 py-1 text-xs text-amber-800">
      Indexing the keyspace: {indexing.keysScanned.toLocaleString()} keys read so far. The first listing after the dashboard starts reads
      every key name once; later ones are instant.
    </p>
  );
}

/** While the folder index sizes the values after its build: figures count only the keys sized so far. */
export function SizingNotice({ sizing }: { sizing: { sized: number; total: number } }) {
  return (
    <p role="status" className="px-2 py-1 text-xs text-slate-500" title="Bytes count only the keys sized so far">
      sizing: {sizing.sized.toLocaleString("en-US")} of {sizing.total.toLocaleString("en-US")} keys
    </p>
  );
}

export function listingLabel(revision: number | undefined): string {
  return revision ? `Listing at revision ${revision}: read from etcd directly (or the archive), large levels take a while…` : "Listing…";
}

export function formatKeyCount(count: number): string {
  return `${count.toLocaleString()} ${count === 1 ? "key" : "keys"}`;
}

/**
 * A tree entry's count as shown beside it: exact, or for a folder the access rules show in part
 * "≥ N keys" (only the keys the viewer may see are counted), or "partly visible" without a count;
 * undefined when there is nothing to show. `title` says why.
 */
export function describeChildCount(item: { keyCount?: number; partial?: true }): { text: string; title?: string } | undefined {
  if (!item.partial) return item.keyCount === undefined ? undefined : { text: formatKeyCount(item.keyCount) };
  const title = "You may see only part of this folder: only the keys you may see are counted";
  return item.keyCount === undefined ? { text: "partly visible", title } : { text: `≥ ${formatKeyCount(item.keyCount)}`, title };
}
