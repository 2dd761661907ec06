"use client";

import { useEffect, useRef, useState } from "react";
import type { WatchEventDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { withActiveCluster } from "@/lib/queries/active-cluster";

// Follows changes under a prefix through the server's event stream (/api/watch). The browser's
// EventSource reconnects by itself with Last-Event-ID, so nothing is lost or repeated across a
// dropped connection; events at or below the revision already shown are ignored all the same.

export type LiveStatus =
  | { state: "off" }
  | { state: "connecting" }
  | { state: "live"; revision: number }
  | { state: "interrupted"; revision?: number }
  | { state: "gap"; reason: string; revision?: number };

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
    const from = seen ? `&fromRevision=${seen}` : "";
    const source = new EventSource(withActiveCluster(`/api/watch?prefix=${prefixParam}${from}`));
    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length) callbacks.current.onChanges(batch);
    };
    const markLive = (revision: number) => setStatus({ state: "live", revision: Math.max(revision, seen) });

    source.addEventListener("ready", (event) => markLive(Number(JSON.parse((event as MessageEvent).data).revision)));
    source.addEventListener("progress", (event) => markLive(Number(JSON.parse((event as MessageEvent).data).revision)));
    source.addEventListener("message", (event) => {
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
      source.addEventListener(name, (event) => {
        const data = JSON.parse((event as MessageEvent).data) as { revision?: number; reason?: string; compactRevision?: number };
        setStatus({
          state: "gap",
          revision: data.revision,
          reason: name === "compacted" ? `history before revision ${data.compactRevision} was compacted` : (data.reason ?? "the server could not replay what was missed"),
        });
        callbacks.current.onGap();
      });
    }
    source.onerror = () => setStatus((current) => ({ state: "interrupted", revision: current.state === "live" ? current.revision : undefined }));
    return () => {
      source.close();
      clearTimeout(flushTimer);
      setStatus({ state: "off" });
    };
  }, [enabled, prefixParam]);

  // Switched on but nothing heard yet (or just switched back on): connecting.
  if (!enabled) return { state: "off" };
  return status.state === "off" ? { state: "connecting" } : status;
}
