import "server-only";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "../client";
import { toKeyValue, type KeyValue } from "../kv";
import { backoffDelayMs, failureRounds } from "./backoff";
import { watchesOf } from "./cluster-watches";
import { noteCompactRevision } from "./known-compaction";
import type { RevisionBatch } from "./revision-batches";
import { watchSettings } from "./settings";
import type { StreamSlot } from "./stream-budget";
import { WatchAttempt } from "./watch-attempt";
import type { ChangeBatch, KeyRange, WatchChange } from "./watch-change";

// A bounded read of past revisions from etcd's event history, on the same attempts as the live
// watch: one stream at a time from the cluster's replay slots, failover to the next endpoint with
// the same backoff, resuming after the last whole revision read. A watch replay has no end marker
// in etcd 3.4 (a progress request is answered at once, not once the watcher has caught up), so a
// replay ends on an event known to exist (`stopAt`; the whole keyspace has one at every
// revision), or, when none is known, once etcd has been quiet for `quietMs`.

export type ReplayedEvent = {
  type: "PUT" | "DELETE";
  revision: number;
  kv: KeyValue;
  prevKv?: KeyValue;
};

export type ReplayRequest = {
  range: KeyRange;
  fromRevision: number;
  /** Events after this revision are not kept. */
  through?: number;
  /** An event at or after this revision is known to exist in the range: its arrival ends the replay (default `through`). */
  stopAt?: number;
  /** Without a known last event: the replay ends when etcd has said nothing for this long. */
  quietMs?: number;
  prevKv?: boolean;
  /** Which events to keep, by key (a whole-keyspace replay kept to one prefix). All by default. */
  keep?: (key: Buffer) => boolean;
  /** More events read than this (kept or not): too large. */
  maxEvents: number;
  /** More key and value bytes kept than this: too large. */
  maxBytes: number;
  timeoutMs: number;
};

export type ReplayResult =
  { kind: "events"; events: ReplayedEvent[] } | { kind: "compacted"; compactRevision: number } | { kind: "too_large"; reason: string };

type Progress = { events: ReplayedEvent[]; scanned: number; bytes: number; resumeAfter: number };

type Outcome = ReplayResult | { kind: "failed"; cause: string; endpoint: string } | { kind: "timeout" };

export async function replayRevisions(connection: ClusterConnection, request: ReplayRequest): Promise<ReplayResult> {
  if (request.stopAt === undefined && request.through === undefined && request.quietMs === undefined) {
    throw new Error("a replay needs a known last event or a quiet time to end on");
  }
  const progress: Progress = { events: [], scanned: 0, bytes: 0, resumeAfter: request.fromRevision - 1 };
  if (request.through !== undefined && request.through < request.fromRevision) return { kind: "events", events: [] };
  const watches = watchesOf(connection);
  const deadline = Date.now() + request.timeoutMs;
  let attemptNumber = Math.floor(Math.random() * connection.settings.endpoints.length);
  let failures = 0;
  let lastCause = "";
  for (;;) {
    const slot = await watches.budget.acquire("replay", Math.max(1, deadline - Date.now()));
    const outcome = await replayOnce(connection, attemptNumber, slot, request, progress, deadline);
    if (outcome.kind === "events" || outcome.kind === "compacted" || outcome.kind === "too_large") {
      watches.replays.finished += 1;
      return outcome;
    }
    if (outcome.kind === "failed") {
      failures += 1;
      watches.replays.failedAttempts += 1;
      attemptNumber += 1;
      lastCause = outcome.cause;
      const rounds = failureRounds(failures, connection.settings.endpoints.length);
      const delay = backoffDelayMs(rounds, { baseMs: watchSettings.backoffBaseMs, capMs: watchSettings.backoffCapMs });
      if (Date.now() + delay < deadline) {
        watches.log.failed({ cluster: watches.name, purpose: "replay", endpoint: outcome.endpoint }, outcome.cause, delay);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        continue;
      }
    }
    const why = lastCause ? `; last failure: ${lastCause}` : "";
    throw new AppError("etcd_unavailable", `reading history from etcd did not finish within ${request.timeoutMs} ms${why}`);
  }
}

async function replayOnce(
  connection: ClusterConnection,
  attemptNumber: number,
  slot: StreamSlot,
  request: ReplayRequest,
  progress: Progress,
  deadline: number,
): Promise<Outcome> {
  const stopAt = request.stopAt ?? request.through;
  let result: ReplayResult | { kind: "timeout" } | null = null;
  let quietTimer: NodeJS.Timeout | undefined;
  const end = (outcome: ReplayResult | { kind: "timeout" }) => {
    result ??= outcome;
    attempt.stop();
  };
  const armQuiet = () => {
    if (request.quietMs === undefined) return;
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => end({ kind: "events", events: progress.events }), request.quietMs);
  };
  const take = (batches: RevisionBatch[]) => {
    for (const batch of batches) {
      if (result) return;
      if (batch.revision <= progress.resumeAfter) continue;
      const beyond = request.through !== undefined && batch.revision > request.through;
      for (const event of batch.events) {
        progress.scanned += 1;
        if (beyond || (request.keep && !request.keep(event.kv.key))) continue;
        const kv = toKeyValue(event.kv);
        const prevKv = event.prev_kv ? toKeyValue(event.prev_kv) : undefined;
        progress.bytes += kv.key.length + kv.value.length + (prevKv?.value.length ?? 0);
        progress.events.push({ type: event.type === "Delete" ? "DELETE" : "PUT", revision: batch.revision, kv, prevKv });
      }
      if (!beyond) progress.resumeAfter = batch.revision;
      if (progress.scanned > request.maxEvents) return end({ kind: "too_large", reason: `more than ${request.maxEvents} events` });
      if (progress.bytes > request.maxBytes) return end({ kind: "too_large", reason: `more than ${request.maxBytes} bytes` });
      if (stopAt !== undefined && batch.revision >= stopAt) return end({ kind: "events", events: progress.events });
    }
  };
  const attempt: WatchAttempt = new WatchAttempt(
    connection,
    attemptNumber,
    slot,
    { range: request.range, startRevision: progress.resumeAfter + 1, prevKv: request.prevKv },
    { created: armQuiet, answered: armQuiet, batches: take },
    { stallMs: watchSettings.stallMs, progressMs: watchSettings.progressMs },
  );
  const deadlineTimer = setTimeout(() => end({ kind: "timeout" }), Math.max(0, deadline - Date.now()));
  const ended = await attempt.ended;
  clearTimeout(quietTimer);
  clearTimeout(deadlineTimer);
  if (result) return result;
  if (ended.kind === "compacted") {
    noteCompactRevision(connection, ended.compactRevision);
    return { kind: "compacted", compactRevision: ended.compactRevision };
  }
  if (ended.kind === "failed") return { kind: "failed", cause: ended.cause, endpoint: attempt.endpoint };
  return { kind: "timeout" };
}

/** Replayed events as the feed delivers changes: without values, one batch per revision. */
export function toChangeBatches(events: readonly ReplayedEvent[]): ChangeBatch[] {
  const batches: ChangeBatch[] = [];
  for (const event of events) {
    const change: WatchChange = {
      revision: event.revision,
      type: event.type,
      key: Buffer.from(event.kv.key),
      version: event.kv.version,
      createRevision: event.kv.createRevision,
      modRevision: event.kv.modRevision,
      valueSize: event.type === "DELETE" ? 0 : event.kv.value.length,
    };
    const last = batches[batches.length - 1];
    if (last?.revision === event.revision) last.changes.push(change);
    else batches.push({ revision: event.revision, changes: [change] });
  }
  return batches;
}
