import "server-only";
import type { ClusterConnection } from "../client";
import { knownCompaction, noteCompactRevision } from "./known-compaction";
import { replayRevisions } from "./replay";

// The cluster's compaction revision. No RPC of etcd 3.4 reports it, but a watch from revision 1
// on a key nobody writes is answered with compact_revision when history has been compacted. A
// compacted range error does not carry the revision either, so callers that just met one ask
// again with `fresh`: a cached value from before that compaction would name a revision that is
// gone. Every compact_revision a watch or replay hears raises the cached value too
// (known-compaction.ts).

const PROBE_KEY = Buffer.from("\u0000etcdlens/compaction-probe");
// etcd checks unsynced watchers against the compaction every 100 ms, so a compacted answer can
// take that long to arrive after "created".
const PROBE_QUIET_MS = 250;
// Compaction moves rarely; a few seconds of caching spares pages that poll the probe's wait.
const CACHE_MS = 5_000;

type Probe = { startedAt: bigint; answer: Promise<number> };

const globalProbes = globalThis as unknown as { etcdlensCompactionProbes?: WeakMap<ClusterConnection, Probe> };
const probing = (globalProbes.etcdlensCompactionProbes ??= new WeakMap());

/** Revisions below the returned one are gone (0 when nothing was compacted). */
export async function getCompactRevision(connection: ClusterConnection, options: { fresh?: boolean } = {}): Promise<number> {
  const cached = knownCompaction(connection);
  if (!options.fresh && cached && Date.now() - cached.at < CACHE_MS) return cached.value;
  const value = await probeStartedAfter(connection, options.fresh ? process.hrtime.bigint() : 0n);
  noteCompactRevision(connection, value);
  return Math.max(value, knownCompaction(connection)?.value ?? 0);
}

/**
 * One probe at a time per cluster, shared by everyone asking meanwhile. A fresh answer must come
 * from a probe started after the caller asked (one started earlier may predate the compaction the
 * caller just met), so such a caller waits for the running probe and then shares the next one.
 */
async function probeStartedAfter(connection: ClusterConnection, asked: bigint): Promise<number> {
  for (;;) {
    const running = probing.get(connection);
    if (running && running.startedAt > asked) return running.answer;
    if (running) {
      await running.answer.catch(() => undefined);
      continue;
    }
    const probe: Probe = {
      startedAt: process.hrtime.bigint(),
      answer: probeCompactRevision(connection).finally(() => {
        if (probing.get(connection) === probe) probing.delete(connection);
      }),
    };
    probing.set(connection, probe);
    return probe.answer;
  }
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
