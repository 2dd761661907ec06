"use client";

import { useEffect, useState } from "react";
import type { RevisionTimeDto } from "@/lib/api/dto";
import { formatDuration } from "@/lib/kube-table/age";

// When a revision happened, next to it: how long ago (kubectl's way of writing ages), the exact
// time on hover, and "≈" when the archive estimated it from the clocks in Kubernetes objects
// rather than seeing the revision arrive. Nothing when the archive cannot tell (etcd keeps no times).

export function describeRevisionTime(time: RevisionTimeDto, now: number): { text: string; title: string } | null {
  if (!time.time) return null;
  const instant = Date.parse(time.time);
  const approx = time.timeEstimated ? "≈ " : "";
  const absolute = new Date(instant).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
  return {
    text: `${approx}${formatDuration(now - instant)} ago`,
    title: time.timeEstimated ? `≈ ${absolute} (estimated from the times Kubernetes wrote into its objects)` : absolute,
  };
}

const TICK_MS = 30_000;

/** The current time, read after the first render (so server and browser render alike) and every 30 s. */
function useNow(): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, TICK_MS);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  return now;
}

export function RevisionTime({ time, className = "" }: { time: RevisionTimeDto; className?: string }) {
  const now = useNow();
  if (!time.time || now === null) return null;
  const described = describeRevisionTime(time, now);
  if (!described) return null;
  return (
    <time dateTime={time.time} title={described.title} className={`text-xs text-slate-500 ${className}`}>
      {described.text}
    </time>
  );
}
