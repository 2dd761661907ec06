import "server-only";
import type { ClusterConnection } from "../client";
import { replayRevisions } from "./replay";

// The cluster's compaction revision. No RPC of etcd 3.4 reports it, but a watch from revision 1
// on a key nobody writes is answered with compact_revision when history has been compacted. A
// compacted range error does not carry the revision either, so callers that just met one ask
// again with `fresh`: a cached value from before that compaction would name a revision that is
// gone. Every compact_revision a watch or replay hears raises the cached value too (compaction
// only moves forward).

const PROBE_KEY = Buffer.from("\u0000etcdlens/compaction-probe");
// etcd checks unsynced watchers against the compaction every 100 ms, so a compacted answer can
// take that long to arrive after "created".
const PROBE_QUIET_MS = 250;
// Compaction moves rarely; a few seconds of caching spares pages that poll the probe's wait.
const CACHE_MS = 5_000;

type Cached = { value: number; at: number };

const globalCache = globalThis as unknown as {
  etcdlensCompaction?: { cached: WeakMap<ClusterConnection, Cached>; probing: WeakMap<ClusterConnection, Promise<number>> };
};
const compaction = (globalCache.etcdlensCompaction ??= { cached: new WeakMap(), probing: new WeakMap() });

/** Revisions below the returned one are gone (0 when nothing was compacted). */
export async function getCompactRevision(connection: ClusterConnection, options: { fresh?: boolean } = {}): Promise<number> {
  const cached = compaction.cached.get(connection);
  if (!options.fresh && cached && Date.now() - cached.at < CACHE_MS) return cached.value;
  // One probe at a time per cluster: many requests failing on one compaction share its answer.
  let probing = compaction.probing.get(connection);
  if (!probing) {
    probing = probeCompactRevision(connection).finally(() => compaction.probing.delete(connection));
    compaction.probing.set(connection, probing);
  }
  const value = await probing;
  noteCompactRevision(connection, value);
  return Math.max(value, compaction.cached.get(connection)?.value ?? 0);
}

/** A compaction revision etcd just reported (to a watch, a replay or the probe). */
export function noteCompactRevision(connection: ClusterConnection, revision: number): void {
  const cached = compaction.cached.get(connection);
  if (cached && cached.value > revision) return;
  compaction.cached.set(connection, { value: revision, at: Date.now() });
}

async function probeCompactRevision(connection: ClusterConnection): Promise<number> {
  const result = await replayRevisions(connection, {
    range: { key: PROBE_KEY, rangeEnd: undefined },
    fromRevision: 1,
    quietMs: PROBE_QUIET_MS,
    maxEvents: 1_000,
    maxBytes: 1024 * 1024,
    timeoutMs: 5_000,
  });
  return result.kind === "compacted" ? result.compactRevision : 0;
}
