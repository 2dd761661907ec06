// Which configured cluster the browser is looking at: the page URL's `cluster` parameter, set by
// <ClusterScope> as the page renders. Every API URL the browser builds goes through
// withActiveCluster, so a view of cluster "prod" only ever asks about "prod".

let active: string | undefined;

export function setActiveCluster(name: string | undefined): void {
  active = name || undefined;
}

/** `url` with `cluster=NAME` added when a cluster is named (pages and API URLs alike). */
export function withCluster(url: string, name: string | undefined): string {
  if (!name || /[?&]cluster=/.test(url)) return url;
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? "" : url.slice(hash);
  return `${base}${base.includes("?") ? "&" : "?"}cluster=${encodeURIComponent(name)}${fragment}`;
}

export function withActiveCluster(url: string): string {
  return withCluster(url, active);
}
