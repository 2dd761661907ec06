import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { MetricsSettings } from "@/lib/env";

// Whether a request for GET /metrics passes without signing in (README, "Metrics"): Prometheus
// scrapes with no session, so either nobody but this machine can reach the server, or the scraper
// proves itself with ETCDLENS_METRICS_TOKEN. Anything else goes through the sign-in gate like any
// route, where a wrong token is one more unknown bearer token (refused, and audited).

export const METRICS_PATH = "/metrics";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** True when the request may read /metrics without a signed-in viewer. */
export function metricsOpenWithoutSignIn(headers: Headers, settings: MetricsSettings): boolean {
  if (settings.boundToLoopback) return true;
  if (!settings.token) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (!match) return false;
  // Digests of equal length, so the comparison's time says nothing about the token.
  return timingSafeEqual(digest(match[1]), digest(settings.token));
}
