"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@/components/ui/link";
import { ErrorPanel, Loading } from "@/components/ui/panels";
import type { AuditEntryDto, AuditStatusDto } from "@/lib/api/dto";
import { auditQueries, type AuditFilters } from "@/lib/queries/audit";
import { withCluster } from "@/lib/queries/cluster";
import { base64ToBytes, keyHref } from "@/lib/keys";

const ACTIONS = ["sign-in", "sign-out", "reveal", "export", "denied", "token-refused"];
const OUTCOMES = ["allowed", "denied", "failed"];

// /audit — who revealed, exported, signed in or was refused what, newest first, with filters.
export function AuditList({ filters }: { filters: AuditFilters }) {
  const query = useInfiniteQuery(auditQueries.list(filters));
  return (
    <div className="space-y-3 text-sm">
      <h1 className="text-base font-semibold">Audit trail</h1>
      <FilterForm filters={filters} />
      {query.isPending ? (
        <Loading label="Reading the audit trail…" />
      ) : query.isError ? (
        <ErrorPanel title="Could not read the audit trail">{query.error.message}</ErrorPanel>
      ) : (
        <>
          <StatusNote status={query.data.pages[0].status} archived={query.data.pages[0].archived} />
          <AuditTable entries={query.data.pages.flatMap((page) => page.entries)} />
          {query.hasNextPage ? (
            <button type="button" className="text-xs font-medium text-blue-700 hover:underline" onClick={() => void query.fetchNextPage()}>
              Show older entries
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}

// A plain GET form: the filters live in the page URL, so a filtered view can be linked.
function FilterForm({ filters }: { filters: AuditFilters }) {
  return (
    <form method="get" action="/audit" aria-label="Filter the audit trail" className="flex flex-wrap items-end gap-3">
      <label className="flex flex-col text-xs text-slate-600">
        User
        <input name="user" defaultValue={filters.user ?? ""} className="rounded border border-slate-300 px-2 py-1 text-sm" />
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Action
        <select name="action" defaultValue={filters.action ?? ""} className="rounded border border-slate-300 px-2 py-1 text-sm">
          <option value="">any</option>
          {ACTIONS.map((action) => (
            <option key={action}>{action}</option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Outcome
        <select name="outcome" defaultValue={filters.outcome ?? ""} className="rounded border border-slate-300 px-2 py-1 text-sm">
          <option value="">any</option>
          {OUTCOMES.map((outcome) => (
            <option key={outcome}>{outcome}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded bg-slate-800 px-3 py-1 text-xs font-medium text-white">
        Filter
      </button>
    </form>
  );
}

function StatusNote({ status, archived }: { status: AuditStatusDto; archived: boolean }) {
  const problems: string[] = [];
  if (status.log.state === "failing") problems.push(`${status.log.error} (${status.log.lost} lines lost)`);
  if (status.archive.state === "failing") problems.push(`${status.archive.error} (${status.archive.pending} waiting)`);
  return (
    <>
      {problems.length > 0 ? (
        <div role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-900">
          The audit trail is failing: {problems.join("; ")}.
        </div>
      ) : null}
      {!archived ? (
        <p className="text-slate-600">
          The archive is off (ETCDLENS_ARCHIVE=off), so this page has nothing to list; the trail is in ETCDLENS_AUDIT_LOG
          {status.log.state === "off" ? ", which is not set either" : ""}.
        </p>
      ) : null}
    </>
  );
}

function AuditTable({ entries }: { entries: AuditEntryDto[] }) {
  if (entries.length === 0) return <p className="text-slate-600">No entries.</p>;
  return (
    <table className="min-w-[48rem] border border-slate-200 bg-white">
      <thead className="bg-slate-50 text-left text-xs text-slate-500">
        <tr>
          <th className="px-2 py-1">time</th>
          <th className="px-2 py-1">user</th>
          <th className="px-2 py-1">action</th>
          <th className="px-2 py-1">outcome</th>
          <th className="px-2 py-1">cluster</th>
          <th className="px-2 py-1">key or prefix</th>
          <th className="px-2 py-1">revision</th>
          <th className="px-2 py-1">detail</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} className="border-t border-slate-100 align-top">
            <td className="px-2 py-1 font-mono text-xs whitespace-nowrap">{entry.time}</td>
            <td className="px-2 py-1">
              {entry.user}
              <span className="block text-xs text-slate-500">
                {entry.via}
                {entry.groups.length ? ` · ${entry.groups.join(", ")}` : ""}
              </span>
            </td>
            <td className="px-2 py-1">{entry.action}</td>
            <td className="px-2 py-1">{entry.outcome}</td>
            <td className="px-2 py-1">{entry.cluster ?? ""}</td>
            <td className="px-2 py-1 font-mono text-xs break-all">
              <KeyCell entry={entry} />
            </td>
            <td className="px-2 py-1 font-mono text-xs">{entry.revision ?? ""}</td>
            <td className="px-2 py-1 text-xs">{[entry.field?.join("."), entry.reason, entry.remoteAddress].filter(Boolean).join(" · ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function KeyCell({ entry }: { entry: AuditEntryDto }) {
  if (entry.keyBase64 !== undefined && entry.key !== undefined) {
    const href = withCluster(keyHref(base64ToBytes(entry.keyBase64), { rev: entry.revision }), entry.cluster);
    return (
      <Link className="text-blue-800 hover:underline" href={href}>
        {entry.key}
      </Link>
    );
  }
  return <>{entry.prefix ?? ""}</>;
}
