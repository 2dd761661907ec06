// The header the proxy (proxy.ts) uses to hand route handlers the query string exactly as sent.
export const RAW_QUERY_HEADER = "x-etcdlens-raw-query";

/** The request's query string as the client sent it ("?a=b" or ""), bytes intact. */
export function rawQueryOf(request: Request): string {
  const fromProxy = request.headers.get(RAW_QUERY_HEADER);
  if (fromProxy !== null) return fromProxy;
  const start = request.url.indexOf("?");
  return start < 0 ? "" : request.url.slice(start);
}
