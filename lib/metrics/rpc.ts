import "server-only";
import { getMetrics } from "./registry";

// What the etcd client (lib/etcd/rpc-metrics.ts) reports of each RPC; the error's kind is told
// there, where etcd3's error classes may be imported.

/** Counts one etcd RPC, its time and, when it failed, the kind of failure. */
export function observeEtcdRpc(cluster: string, method: string, seconds: number, errorKind: string | null): void {
  const metrics = getMetrics();
  metrics.etcdRpcs.inc({ cluster, method });
  metrics.etcdRpcDuration.observe({ cluster, method }, seconds);
  if (errorKind) metrics.etcdRpcErrors.inc({ cluster, method, kind: errorKind });
}
