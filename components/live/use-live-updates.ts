"use client";

import { useEffect, useRef, useState } from "react";
import type { WatchEventDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { withCluster } from "@/lib/queries/cluster";
import { useClusterName } from "@/components/cluster/cluster-scope";

// Follows changes under a prefix through the server's event stream (/api/watch). The browser's
// EventSource reconnects by itself with Last-Event-ID, so nothing is lost or repeated across a
// dropped connection; events at or below the revision already shown are ignored all the same.
// The status says "interrupted" both while the browser's connection is down and while the
// server reports that its own watch of etcd is reconnecting: either way nothing new arrives.

export type LiveStatus =
  | { state: "off" }
  | { state: "connecting" }
  | { state: "live"; revision: number }
  | { state: "interrupted"; revision?: number }
  | { state: "gap"; reason: string; revision?: number };

// How soon a stream the browser gave up on is opened again, doubling up to the cap while the
// server keeps refusing.
const FIRST_REOPEN_MS = 2_000;
const MAX_REOPEN_MS = 30_000;

type LiveOptions = {
  prefix: Uint8Array;
  enabled: boolean;
  /** The revision the view shows now: changes at or below it are already on screen. */
  shownRevision?: number;
  onChanges: (changes: WatchEventDto[]) => void;
  /** History was compacted or the server could not replay the gap: the view must reload. */
  onGap: () => void;
};

export function useLiveUpdates({ prefix, enabled, shownRevision, onChanges, onGap }: LiveOptions): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>({ state: "off" });
  const callbacks = useRef({ onChanges, onGap });
  useEffect(() => {
    callbacks.current = { onChanges, onGap };
  });
  const prefixParam = encodeKeyParam(prefix);
  // A switch of cluster closes the stream and opens one on the other cluster.
  const cluster = useClusterName();
  // Only the revision at the moment live starts matters for where the stream begins.
  const startRevision = useRef(shownRevision);
  useEffect(() => {
    if (!startRevision.current && shownRevision) startRevision.current = shownRevision;
  }, [shownRevision]);

  useEffect(() => {
    if (!enabled) return;
    const shownAtStart = startRevision.current ?? 0;
    let seen = shownAtStart;
    let pending: WatchEventDto[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenDelayMs = FIRST_REOPEN_MS;
    let source: EventSource | undefined;
    let serverReconnecting = false;
    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length) callbacks.current.onChanges(batch);
    };
    const markLive = (revision: number) => setStatus({ state: "live", revision: Math.max(revision, seen) });
    const markInterrupted = () =>
      setStatus((current) => ({ state: "interrupted", revision: "revision" in current ? current.revision : undefined }));

    const open = () => {
      // A new EventSource sends no Last-Event-ID: it asks for what came after the newest change seen.
      const from = seen ? `&fromRevision=${seen}` : "";
      const opened = new EventSource(withCluster(`/api/watch?prefix=${prefixParam}${from}`, cluster));
      source = opened;
      opened.addEventListener("ready", (event) => {
        reopenDelayMs = FIRST_REOPEN_MS;
        serverReconnecting = false;
        markLive(Number(JSON.parse((event as MessageEvent).data).revision));
      });
      // A progress report repeats the last revision the server heard of; while its watch of etcd
      // is down that says nothing about now, so only "live" ends the reconnecting state.
      opened.addEventListener("progress", (event) => {
        if (!serverReconnecting) markLive(Number(JSON.parse((event as MessageEvent).data).revision));
      });
      // The browser's connection is up but the server's watch of etcd is not: nothing arrives
      // until it is back, so the view is not live, whatever the connection says.
      opened.addEventListener("reconnecting", () => {
        serverReconnecting = true;
        markInterrupted();
      });
      opened.addEventListener("live", (event) => {
        serverReconnecting = false;
        markLive(Number(JSON.parse((event as MessageEvent).data).revision));
      });
      opened.addEventListener("message", (event) => {
        const change = JSON.parse(event.data) as WatchEventDto;
        // At or below what was on screen when live began: stale. Below the newest seen: a repeat.
        // (Several changes of one transaction share a revision and arrive together.)
        if (change.revision <= shownAtStart || change.revision < seen) return;
        seen = Math.max(seen, change.revision);
        pending.push(change);
        markLive(seen);
        // Changes of one busy second are applied together rather than one refetch each.
        flushTimer ??= setTimeout(flush, 150);
      });
      for (const name of ["compacted", "reset"]) {
        opened.addEventListener(name, (event) => {
          const data = JSON.parse((event as MessageEvent).data) as { revision?: number; reason?: string; compactRevision?: number };
          if (data.revision) seen = Math.max(seen, data.revision);
          setStatus({
            state: "gap",
            revision: data.revision,
            reason:
              name === "compacted"
                ? `history before revision ${data.compactRevision} was compacted`
                : (data.reason ?? "the server could not replay what was missed"),
          });
          callbacks.current.onGap();
        });
      }
      opened.onerror = () => {
        markInterrupted();
        // EventSource retries a dropped connection by itself, but gives up for good on an answer
        // that is not a stream (a 502 while etcd is down, a restarting server): open a new one.
        if (opened.readyState !== EventSource.CLOSED) return;
        opened.close();
        reopenTimer = setTimeout(open, reopenDelayMs);
        reopenDelayMs = Math.min(reopenDelayMs * 2, MAX_REOPEN_MS);
      };
    };
    open();
    return () => {
      source?.close();
      clearTimeout(flushTimer);
      clearTimeout(reopenTimer);
      setStatus({ state: "off" });
    };
  }, [enabled, prefixParam, cluster]);

  // Switched on but nothing heard yet (or just switched back on): connecting.
  if (!enabled) return { state: "off" };
  return status.state === "off" ? { state: "connecting" } : status;
}
