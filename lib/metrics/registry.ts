import "server-only";
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

// The process's one Prometheus registry and the metrics other modules count into (HTTP requests,
// etcd RPCs). Held on globalThis: Next loads this module once for the route handlers and again
// for instrumentation.ts, and two registries would mean a scrape that misses half the counts.
// This module imports nothing of the app, so the etcd client and the route wrapper may import it
// without a loop; the gauges that read the app's state are in collectors.ts.

// From 1 ms (a cached read) to 10 s (a request that waited out etcd's deadline).
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Metrics = {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  etcdRpcs: Counter<"cluster" | "method">;
  etcdRpcDuration: Histogram<"cluster" | "method">;
  etcdRpcErrors: Counter<"cluster" | "method" | "kind">;
  /** Set once collectors.ts has added its gauges to the registry. */
  collectorsRegistered: boolean;
};

const globalMetrics = globalThis as unknown as { etcdlensMetrics?: Metrics };

function createMetrics(): Metrics {
  const registry = new Registry();
  // process_* and nodejs_*: CPU, memory, event-loop lag, handles, GC, under their usual names.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: "etcdlens_http_requests_total",
      help: "API requests answered, by route pattern, method and status.",
      labelNames: ["route", "method", "status"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "etcdlens_http_request_duration_seconds",
      help: "Time to answer an API request (to the first byte for the event stream), by route pattern and method.",
      labelNames: ["route", "method"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    etcdRpcs: new Counter({
      name: "etcdlens_etcd_rpcs_total",
      help: "etcd RPCs made, by cluster and gRPC method (Watch counts streams opened); retries inside one call count once.",
      labelNames: ["cluster", "method"],
      registers,
    }),
    etcdRpcDuration: new Histogram({
      name: "etcdlens_etcd_rpc_duration_seconds",
      help: "Time of an etcd RPC, retries included, by cluster and gRPC method.",
      labelNames: ["cluster", "method"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    etcdRpcErrors: new Counter({
      name: "etcdlens_etcd_rpc_errors_total",
      help: "etcd RPCs that failed, by cluster, gRPC method and kind of error.",
      labelNames: ["cluster", "method", "kind"],
      registers,
    }),
    collectorsRegistered: false,
  };
}

/** The process's metrics, created on first use. */
export function getMetrics(): Metrics {
  return (globalMetrics.etcdlensMetrics ??= createMetrics());
}
