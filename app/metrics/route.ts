// GET /metrics — the dashboard's metrics in Prometheus's text format (README, "Metrics"): API
// requests, etcd RPCs, watch streams, the folder index, the archive recorder, live-stream
// subscribers and the process. Without sign-in only on a server bound to loopback or for
// `Authorization: Bearer <ETCDLENS_METRICS_TOKEN>`; anyone else needs a session or an API token, as
// for any route (the gate in proxy.ts decides first; this checks again for callers that skip it).
import { presentMetrics } from "@/lib/api/present-metrics";
import { apiRoute } from "@/lib/api/route";
import { RequestAccess } from "@/lib/auth/request-access";
import { ConfigurationError, getMetricsSettings } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { renderMetrics } from "@/lib/metrics";
import { metricsOpenWithoutSignIn } from "@/lib/metrics/access";

export const dynamic = "force-dynamic";

function openWithoutSignIn(request: Request): boolean {
  try {
    return metricsOpenWithoutSignIn(request.headers, getMetricsSettings());
  } catch (error) {
    if (error instanceof ConfigurationError) throw new AppError("internal", `the server is misconfigured: ${error.message}`);
    throw error;
  }
}

export const GET = apiRoute(
  async (request) => {
    if (!openWithoutSignIn(request)) RequestAccess.of(request);
    return presentMetrics(await renderMetrics());
  },
  { public: true },
);
