// Which configured cluster a view reads travels as an argument: the page URL's `cluster`
// parameter, read once by <ClusterProvider> and handed to every query-key factory and URL builder.
// Undefined means the default cluster (the first configured one), whose URLs carry no parameter.

export type ClusterName = string | undefined;

/**
 * The first element of every query key, so answers of two clusters never share a cache entry.
 * No cluster can be named "" (an empty `cluster=` means the default one).
 */
export function clusterKey(cluster: ClusterName): string {
  return cluster ?? "";
}

/** True when a cached query was asked of `cluster` (for invalidating one cluster's answers only). */
export function isQueryOf(queryKey: readonly unknown[], cluster: ClusterName): boolean {
  return queryKey[0] === clusterKey(cluster);
}

/** `url` with `cluster=NAME` added when a cluster is named (pages and API URLs alike). */
export function withCluster(url: string, cluster: ClusterName): string {
  if (!cluster || /[?&]cluster=/.test(url)) return url;
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? "" : url.slice(hash);
  return `${base}${base.includes("?") ? "&" : "?"}cluster=${encodeURIComponent(cluster)}${fragment}`;
}
