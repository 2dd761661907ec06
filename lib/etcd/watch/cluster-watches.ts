import "server-only";
import type { ClusterConnection } from "../client";
import { FailureLog } from "./failure-log";
import { StreamBudget } from "./stream-budget";

// What the watch module keeps per cluster: the stream budget every stream of the cluster is
// opened with, the failure log, and what each running watch reports for getWatchStats().

export type WatchState =
  | { state: "connecting" }
  | { state: "live"; since: number }
  | { state: "reconnecting"; lastError: string; nextRetryAt: number; failures: number }
  | { state: "stopped" };

export type WatchReport = {
  purpose: string;
  state: WatchState;
  endpoint: string | null;
  /** The last revision delivered. */
  revision: number;
  reconnects: number;
  lastError: string | null;
  fragmentsReassembled: number;
};

export type ClusterWatches = {
  name: string;
  budget: StreamBudget;
  log: FailureLog;
  reporters: Set<() => WatchReport>;
  replays: { finished: number; failedAttempts: number };
};

// On globalThis: Next may load this module more than once (the boot hook and the route handlers
// are bundled apart), and two budgets for one cluster would double the ceiling.
const globalWatches = globalThis as unknown as { etcdlensClusterWatches?: Map<ClusterConnection, ClusterWatches> };

export function watchesOf(connection: ClusterConnection): ClusterWatches {
  const all = (globalWatches.etcdlensClusterWatches ??= new Map());
  let watches = all.get(connection);
  if (!watches) {
    watches = {
      name: clusterName(connection),
      budget: new StreamBudget(),
      log: new FailureLog(),
      reporters: new Set(),
      replays: { finished: 0, failedAttempts: 0 },
    };
    all.set(connection, watches);
  }
  return watches;
}

export function listClusterWatches(): ClusterWatches[] {
  return [...(globalWatches.etcdlensClusterWatches?.values() ?? [])];
}

function clusterName(connection: ClusterConnection): string {
  const named = connection.settings as { name?: string };
  return named.name ?? connection.describeEndpoints();
}
