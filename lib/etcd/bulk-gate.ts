import "server-only";
import type { ClusterConnection } from "./client";
import { Gate } from "./gate";

// Reads that scan values in bulk (search, export, compare, the sizing pass) take turns per
// cluster: however many people search a million keys at once, etcd serves at most
// BULK_READS_PER_CLUSTER such pages (each about 2 MiB) at a time, and the rest wait here, in
// order, without holding anything of etcd's. Point reads (a key, a level, a history page) never wait.

export const BULK_READS_PER_CLUSTER = 2;

const gates = new WeakMap<ClusterConnection, Gate>();

function gateOf(connection: ClusterConnection): Gate {
  let gate = gates.get(connection);
  if (!gate) {
    gate = new Gate(BULK_READS_PER_CLUSTER);
    gates.set(connection, gate);
  }
  return gate;
}

/** Runs one bulk page read when the cluster's turn comes; a request that goes away while waiting leaves the queue. */
export function readInTurn<T>(connection: ClusterConnection, read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return gateOf(connection).run(read, signal);
}

/** How many bulk reads run and wait on a cluster now (for /metrics and tests). */
export function bulkReadsOf(connection: ClusterConnection): { running: number; waiting: number } {
  const gate = gates.get(connection);
  return gate ? { running: gate.running, waiting: gate.waiting } : { running: 0, waiting: 0 };
}
