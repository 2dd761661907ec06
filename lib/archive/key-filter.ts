// Which keys of a cluster the archive records: the include and exclude prefixes a cluster's
// `archive` entry in ETCDLENS_CONFIG names (e.g. exclude /registry/events/, whose churn is rarely
// worth keeping). Pure and shared by the recorder (what it stores) and the views (what they may
// expect the archive to hold).

export type ArchiveKeyFilter = {
  /** Only keys under one of these prefixes are archived; every key when empty. */
  include: readonly string[];
  /** Keys under one of these are never archived, even under an included prefix. */
  exclude: readonly string[];
};

export const ARCHIVE_EVERY_KEY: ArchiveKeyFilter = { include: [], exclude: [] };

/** Why `key` is not archived (the prefix that keeps it out), or null when it is. */
export function archiveExclusion(filter: ArchiveKeyFilter, key: Buffer): string | null {
  for (const prefix of filter.exclude) if (startsWith(key, prefix)) return `excluded by configuration (${prefix})`;
  if (filter.include.length > 0 && !filter.include.some((prefix) => startsWith(key, prefix))) {
    return `not under an included prefix (${filter.include.join(", ")})`;
  }
  return null;
}

/** True when the archive records `key` under `filter`. */
export function isKeyArchived(filter: ArchiveKeyFilter, key: Buffer): boolean {
  return archiveExclusion(filter, key) === null;
}

/** A test of `filter` for the recorder's every event: the prefixes turned into bytes once. */
export function keyFilterMatcher(filter: ArchiveKeyFilter): (key: Buffer) => boolean {
  if (archivesEveryKey(filter)) return () => true;
  const include = filter.include.map((prefix) => Buffer.from(prefix, "utf8"));
  const exclude = filter.exclude.map((prefix) => Buffer.from(prefix, "utf8"));
  const under = (key: Buffer, prefix: Buffer) => key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
  return (key) => !exclude.some((prefix) => under(key, prefix)) && (include.length === 0 || include.some((prefix) => under(key, prefix)));
}

/** True when the filter lets every key through (the recorder then skips matching). */
export function archivesEveryKey(filter: ArchiveKeyFilter): boolean {
  return filter.include.length === 0 && filter.exclude.length === 0;
}

function startsWith(key: Buffer, prefix: string): boolean {
  const bytes = Buffer.from(prefix, "utf8");
  return key.length >= bytes.length && key.subarray(0, bytes.length).equals(bytes);
}
