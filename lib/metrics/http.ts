import "server-only";
import { getMetrics } from "./registry";

// Request counting for the route wrapper (lib/api/route.ts). Label values must stay few: a raw
// path would make one time series per key viewed, so only the route's pattern is kept.

// Every API route is one static folder under app/api (/api/key, /api/history, ...); keys travel in
// the query string, never in the path.
const API_ROUTE = /^\/api\/[a-z][a-z0-9-]{0,39}$/;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The route label of a request path: the API route it names, or "other" (never the raw path). */
export function routePatternOf(pathname: string): string {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (API_ROUTE.test(path)) return path;
  if (path === "/metrics") return path;
  return "other";
}

/** The method label: one of HTTP's own methods, or "other". */
export function methodLabelOf(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : "other";
}

/** Counts one answered request and its time. */
export function observeHttpRequest(request: Request, status: number, seconds: number): void {
  const metrics = getMetrics();
  const route = routePatternOf(new URL(request.url).pathname);
  const method = methodLabelOf(request.method);
  metrics.httpRequests.inc({ route, method, status: String(status) });
  metrics.httpDuration.observe({ route, method }, seconds);
}
