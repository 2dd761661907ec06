import "server-only";
import type { IWatchResponse } from "etcd3";
import { startsWithBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import {
  cancelQuietly,
  compactRevisionOf,
  openRawWatchStream,
  rangeOfPrefix,
  toWatchChange,
  WHOLE_KEYSPACE,
  type WatchChange,
} from "./watch-stream";

// Replays the changes a subscriber missed that the hub no longer holds in memory, from etcd's
// history. A watch replay has no end marker in etcd 3.4 (a progress request answers at once, not
// once the watcher has caught up), so the replay ends on an event known to exist: the hub's
// oldest buffered change in the prefix when it has one; otherwise it replays the whole keyspace,
// where every revision has at least one event, so the event at the target revision must arrive.
// etcd sends all events of one revision in one response (without fragmenting), so a response
// that reaches the target revision completes it.
//
// This does not use replayEvents (watch-replay.ts) because that collects whole events with their
// values without a bound and ends on quiet time.

export type CatchUpRequest = {
  prefix: Uint8Array;
  /** Changes after this revision... */
  afterRevision: number;
  /** ...up to and including this one. */
  throughRevision: number;
  /** A revision above throughRevision where a change in the prefix is known to exist. */
  knownChangeRevision?: number;
  /** More changes in the prefix than this: give up (the caller tells the browser to reload). */
  maxChanges: number;
  /** More events read than this (whole-keyspace replays read other prefixes too): give up. */
  maxScanned: number;
  /** A stream that says nothing for this long is taken as dead; the next endpoint is tried. */
  stallMs: number;
  timeoutMs: number;
};

export type CatchUpResult =
  | { kind: "changes"; changes: WatchChange[] }
  | { kind: "compacted"; compactRevision: number }
  | { kind: "too_large" };

export class CatchUpUnavailableError extends Error {}

export async function catchUpChanges(connection: ClusterConnection, request: CatchUpRequest): Promise<CatchUpResult> {
  if (request.throughRevision <= request.afterRevision) return { kind: "changes", changes: [] };
  const state: ReplayState = { changes: [], scanned: 0, resumeAfter: request.afterRevision };
  const deadline = Date.now() + request.timeoutMs;
  const attempts = Math.max(3, connection.settings.endpoints.length * 2);
  let lastError: unknown;
  const first = Math.floor(Math.random() * connection.settings.endpoints.length);
  for (let attempt = 0; attempt < attempts && Date.now() < deadline; attempt++) {
    try {
      return await replayOnce(connection, first + attempt, request, state, deadline);
    } catch (error) {
      lastError = error;
    }
  }
  throw new CatchUpUnavailableError(
    `catching up from etcd failed: ${lastError instanceof Error ? lastError.message : "took too long"}`,
  );
}

type ReplayState = { changes: WatchChange[]; scanned: number; resumeAfter: number };

async function replayOnce(
  connection: ClusterConnection,
  attempt: number,
  request: CatchUpRequest,
  state: ReplayState,
  deadline: number,
): Promise<CatchUpResult> {
  const bounded = request.knownChangeRevision !== undefined;
  const stopAt = request.knownChangeRevision ?? request.throughRevision;
  const range = bounded ? rangeOfPrefix(request.prefix) : WHOLE_KEYSPACE;
  const { stream } = await openRawWatchStream(connection, attempt);

  return new Promise<CatchUpResult>((resolve, reject) => {
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    const finish = (result: CatchUpResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(stallTimer);
      clearTimeout(deadlineTimer);
      cancelQuietly(stream);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => finish(new Error("the etcd member stopped answering")), request.stallMs);
    };
    const deadlineTimer = setTimeout(() => finish(new Error("took too long")), Math.max(0, deadline - Date.now()));

    stream.on("data", (response: IWatchResponse) => {
      armStall();
      const compactRevision = compactRevisionOf(response);
      if (compactRevision > 0) return finish({ kind: "compacted", compactRevision });
      if (response.canceled) return finish(new Error(response.cancel_reason || "etcd cancelled the watch"));
      let highest = 0;
      for (const event of response.events ?? []) {
        const revision = Number(event.kv.mod_revision);
        highest = Math.max(highest, revision);
        state.scanned += 1;
        if (revision > request.throughRevision || revision <= state.resumeAfter) continue;
        if (!bounded && !startsWithBytes(event.kv.key, request.prefix)) continue;
        state.changes.push(toWatchChange(event));
      }
      // Whole revisions arrive per response, so a later attempt can resume after this one.
      if (highest > 0) state.resumeAfter = Math.max(state.resumeAfter, Math.min(highest, request.throughRevision));
      if (state.changes.length > request.maxChanges || state.scanned > request.maxScanned) {
        return finish({ kind: "too_large" });
      }
      if (highest >= stopAt) finish({ kind: "changes", changes: state.changes });
    });
    stream.on("error", (error: Error) => finish(error));
    stream.on("end", () => finish(new Error("the etcd member closed the watch")));
    stream.write({
      create_request: { key: range.key, range_end: range.rangeEnd, start_revision: state.resumeAfter + 1 },
    });
    armStall();
  });
}
