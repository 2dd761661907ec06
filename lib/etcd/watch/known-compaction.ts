import "server-only";
import type { ClusterConnection } from "../client";

// The highest compaction revision etcd has reported for a cluster, to a watch, a replay or the
// compaction probe. Compaction only moves forward, so a lower report never lowers it.

type Known = { value: number; at: number };

const globalKnown = globalThis as unknown as { etcdlensKnownCompaction?: WeakMap<ClusterConnection, Known> };
const known = (globalKnown.etcdlensKnownCompaction ??= new WeakMap());

export function knownCompaction(connection: ClusterConnection): Known | undefined {
  return known.get(connection);
}

/** A compaction revision etcd just reported (to a watch, a replay or the probe). */
export function noteCompactRevision(connection: ClusterConnection, revision: number): void {
  const cached = known.get(connection);
  if (cached && cached.value > revision) return;
  known.set(connection, { value: revision, at: Date.now() });
}
