import "server-only";
import { registerCollectors, takeSnapshot, type MetricsSnapshot } from "./collectors";
import { getMetrics } from "./registry";

// GET /metrics's one call: the gauges read the app's state once, then the registry is written out
// in Prometheus's text format.

export { observeHttpRequest } from "./http";

const globalScrape = globalThis as unknown as { etcdlensMetricsSnapshot?: MetricsSnapshot | null };

/** The whole registry in Prometheus's text format, with its content type. */
export async function renderMetrics(): Promise<{ contentType: string; text: string }> {
  registerCollectors(() => globalScrape.etcdlensMetricsSnapshot ?? null);
  globalScrape.etcdlensMetricsSnapshot = await takeSnapshot();
  const { registry } = getMetrics();
  return { contentType: registry.contentType, text: await registry.metrics() };
}
