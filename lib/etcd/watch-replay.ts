import "server-only";
import type { Etcd3, IWatchResponse } from "etcd3";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "./client";
import { toKeyValue, type KeyValue } from "./kv";

// Reads past events from etcd's history with a one-off watch on the raw stream. The raw stream is
// used rather than etcd3's Watcher because it reports compact_revision when the start revision
// is gone, and because the Watcher resumes from the store's current revision after a reconnect,
// which would silently skip events of a replay.

export type ReplayedEvent = {
  type: "PUT" | "DELETE";
  revision: number;
  kv: KeyValue;
  prevKv?: KeyValue;
};

export type ReplayRequest = {
  key: Uint8Array;
  rangeEnd?: Uint8Array;
  startRevision: number;
  /**
   * Exclusive upper bound. When an event at or past it is known to exist (the caller saw it),
   * the replay ends as soon as it arrives; otherwise the replay ends when etcd goes quiet.
   */
  untilRevision?: number;
  /**
   * Inclusive upper bound for a replay whose range is known to have an event at this revision
   * (the whole keyspace has one at every revision): the replay ends once it has been delivered.
   */
  throughRevision?: number;
  prevKv?: boolean;
  /** Quiet time after which a replay without a known closing event is taken as complete. */
  idleMs?: number;
  timeoutMs?: number;
};

export class CompactedReplayError extends AppError {
  constructor(readonly compactRevision: number) {
    super("compacted", `history before revision ${compactRevision} was compacted`, { compactRevision });
  }
}

class StreamUnavailableError extends Error {}

// etcd3 opens a watch stream on a host without checking that the host answers; a dead member
// only shows as an error on the stream. So a replay tries the configured endpoints in turn until
// one answers, as unary calls fail over inside etcd3.
export async function replayEvents(connection: ClusterConnection, request: ReplayRequest): Promise<ReplayedEvent[]> {
  const endpoints = connection.settings.endpoints;
  if (endpoints.length === 1) return replayOn(connection.client, request);
  const start = Math.floor(Math.random() * endpoints.length);
  let lastError: unknown;
  for (let i = 0; i < endpoints.length; i++) {
    try {
      return await replayOn(connection.forEndpoint(endpoints[(start + i) % endpoints.length]), request);
    } catch (error) {
      if (!(error instanceof StreamUnavailableError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

async function replayOn(client: Etcd3, request: ReplayRequest): Promise<ReplayedEvent[]> {
  const stream = await client.watchClient.watch();
  const events: ReplayedEvent[] = [];
  const idleMs = request.idleMs ?? 400;
  const timeoutMs = request.timeoutMs ?? 15_000;

  return new Promise<ReplayedEvent[]>((resolve, reject) => {
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(idleTimer);
      clearTimeout(deadline);
      try {
        stream.cancel();
      } catch {
        // The stream may already be closed by the server; nothing to release then.
      }
      if (error) reject(error);
      else resolve(events);
    };
    const armIdle = () => {
      // With a known closing event, quiet spells are etcd reading history, not the end.
      if (request.throughRevision !== undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish(), idleMs);
    };
    const deadline = setTimeout(
      () => finish(new AppError("etcd_unavailable", `reading history from etcd took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );

    let answered = false;
    stream.on("data", (response: IWatchResponse) => {
      answered = true;
      const compactRevision = Number(response.compact_revision ?? 0);
      if (response.canceled || compactRevision > 0) {
        if (compactRevision > 0) finish(new CompactedReplayError(compactRevision));
        else finish(new AppError("internal", `etcd cancelled the watch: ${response.cancel_reason || "no reason given"}`));
        return;
      }
      let reachedEnd = false;
      for (const event of response.events ?? []) {
        const kv = toKeyValue(event.kv);
        if (request.untilRevision !== undefined && kv.modRevision >= request.untilRevision) {
          finish();
          return;
        }
        if (request.throughRevision !== undefined && kv.modRevision >= request.throughRevision) {
          reachedEnd = true;
          if (kv.modRevision > request.throughRevision) continue;
        }
        events.push({
          type: event.type === "Delete" ? "DELETE" : "PUT",
          revision: kv.modRevision,
          kv,
          prevKv: event.prev_kv ? toKeyValue(event.prev_kv) : undefined,
        });
      }
      // etcd sends all events of one revision in one response, so the end is reached here.
      if (reachedEnd) {
        finish();
        return;
      }
      armIdle();
    });
    stream.on("error", (error: Error) => finish(answered ? error : new StreamUnavailableError(error.message)));
    stream.on("end", () => finish());

    stream.write({
      create_request: {
        key: Buffer.from(request.key),
        range_end: request.rangeEnd ? Buffer.from(request.rangeEnd) : undefined,
        start_revision: request.startRevision,
        prev_kv: request.prevKv ?? false,
      },
    });
    armIdle();
  });
}

// A key nobody writes: watching it from revision 1 costs nothing but makes etcd say how far
// history has been compacted, which no other RPC in etcd 3.4 reports.
const COMPACTION_PROBE_KEY = Buffer.from("\u0000etcdlens/compaction-probe");
// etcd checks unsynced watchers against the compaction every 100 ms, so a compacted answer can
// take that long to arrive after "created".
const COMPACTION_PROBE_IDLE_MS = 250;

// Compaction moves rarely; a few seconds of caching spares pages that poll the probe's wait.
const COMPACTION_CACHE_MS = 5_000;
const compactionCache = new WeakMap<ClusterConnection, { value: number; at: number }>();

/** The cluster's compaction revision: revisions below it are gone (0 when nothing was compacted). */
export async function getCompactRevision(connection: ClusterConnection): Promise<number> {
  const cached = compactionCache.get(connection);
  if (cached && Date.now() - cached.at < COMPACTION_CACHE_MS) return cached.value;
  const value = await probeCompactRevision(connection);
  compactionCache.set(connection, { value, at: Date.now() });
  return value;
}

async function probeCompactRevision(connection: ClusterConnection): Promise<number> {
  try {
    await replayEvents(connection, { key: COMPACTION_PROBE_KEY, startRevision: 1, idleMs: COMPACTION_PROBE_IDLE_MS, timeoutMs: 5_000 });
    return 0;
  } catch (error) {
    if (error instanceof CompactedReplayError) return error.compactRevision;
    throw error;
  }
}
