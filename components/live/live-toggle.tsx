"use client";

import type { LiveStatus } from "./use-live-updates";

// The switch and the indicator that says whether the view follows etcd, and up to which revision.
export function LiveToggle({
  on,
  onChange,
  status,
  disabledReason,
}: {
  on: boolean;
  onChange: (on: boolean) => void;
  status: LiveStatus;
  disabledReason?: string;
}) {
  const label =
    status.state === "live"
      ? `Live · up to revision ${status.revision}`
      : status.state === "connecting"
        ? "Connecting…"
        : status.state === "interrupted"
          ? "Reconnecting…"
          : status.state === "gap"
            ? `Reloaded: ${status.reason}`
            : null;
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        aria-pressed={on}
        disabled={Boolean(disabledReason)}
        title={disabledReason ?? (on ? "Stop following changes" : "Follow changes as they happen")}
        onClick={() => onChange(!on)}
        className={`rounded border px-2 py-0.5 text-xs font-medium ${
          on ? "border-emerald-600 bg-emerald-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
        } disabled:cursor-not-allowed disabled:opacity-50`}
      >
        Live
      </button>
      {on && label ? (
        <span role="status" aria-label="Live status" className="text-xs text-slate-600">
          {status.state === "live" ? <span className="mr-1 inline-block h-2 w-2 animate-pulse rounded-full bg-emerald-500" /> : null}
          {label}
        </span>
      ) : null}
    </span>
  );
}
