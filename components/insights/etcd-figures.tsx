"use client";

import { useQuery } from "@tanstack/react-query";
import type { InsightsMemberDto } from "@/lib/api/dto";
import { insightsQueries } from "@/lib/queries/insights";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { formatBytes, formatCount } from "./format";

// etcd's own figures per member (endpoint status) and its alarms: what `etcdctl endpoint status`
// and `etcdctl alarm list` say, with the arithmetic an operator does on them done.
export function EtcdFigures() {
  const query = useQuery(insightsQueries.etcd(useClusterName()));
  if (query.isPending) return <Loading label="Asking each member for its status…" />;
  if (query.isError) return <ErrorPanel title="Could not read etcd's status">{query.error.message}</ErrorPanel>;
  const { members, alarms, quotaBytes, quotaSource } = query.data;
  return (
    <div className="space-y-3">
      {alarms.length > 0 ? (
        <ul role="alert" aria-label="Alarms" className="space-y-1 rounded border border-red-200 bg-red-50 p-3 text-red-900">
          {alarms.map((alarm) => (
            <li key={`${alarm.memberIdHex}-${alarm.alarm}`}>
              <Badge tone="red">{alarm.alarm}</Badge> on member <span className="font-mono">{alarm.memberIdHex}</span>
              {alarm.alarm === "NOSPACE"
                ? " — etcd refuses writes until space is freed (compact, defragment) and the alarm is disarmed."
                : null}
              {alarm.alarm === "CORRUPT" ? " — a member's data differs from the others'; it needs to be replaced." : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-slate-600">No alarms (NOSPACE, CORRUPT) are raised.</p>
      )}
      <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">
        {members.map((member) => (
          <MemberCard key={member.endpoint} member={member} />
        ))}
      </div>
      <p className="text-xs text-slate-500">
        Quota {formatBytes(quotaBytes)}{" "}
        {quotaSource === "config"
          ? "(quotaBackendBytes in the configuration file)."
          : "(etcd's default --quota-backend-bytes: etcd does not report its quota, so set quotaBackendBytes for the cluster in ETCDLENS_CONFIG if it runs with another)."}
      </p>
    </div>
  );
}

function MemberCard({ member }: { member: InsightsMemberDto }) {
  if (!member.ok) {
    return (
      <section aria-label={`Member at ${member.endpoint}`} className="rounded border border-red-200 bg-red-50 p-3 text-red-900">
        <p className="font-mono text-xs">{member.endpoint}</p>
        <p>
          <Badge tone="red">down</Badge> {member.error}
        </p>
      </section>
    );
  }
  const share = Math.min(1, member.quotaShare ?? 0);
  const tone = share >= 0.8 ? "bg-red-600" : share >= 0.6 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <section aria-label={`Member ${member.memberIdHex}`} className="rounded border border-slate-200 bg-white p-3">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs text-slate-600">{member.endpoint}</span>
        <Badge tone={member.isLeader ? "blue" : "slate"}>{member.isLeader ? "leader" : member.isLearner ? "learner" : "follower"}</Badge>
        <span className="text-xs text-slate-500">etcd {member.version}</span>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-slate-500">DB size</dt>
        <dd>
          <span className="font-mono" data-testid="db-size">
            {formatBytes(member.dbSize ?? 0)}
          </span>{" "}
          <span className="text-slate-500">
            of {formatBytes(member.quotaBytes ?? 0)} quota ({((member.quotaShare ?? 0) * 100).toFixed(1)}%)
          </span>
          <div
            role="meter"
            aria-label="DB size of quota"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 100)}
            className="mt-1 h-1.5 w-full rounded bg-slate-200"
          >
            <div className={`h-1.5 rounded ${tone}`} style={{ width: `${Math.max(1, share * 100)}%` }} />
          </div>
        </dd>
        <dt className="text-slate-500">in use</dt>
        <dd>
          <span className="font-mono">{member.dbSizeInUse ? formatBytes(member.dbSizeInUse) : "not reported"}</span>{" "}
          <span className="text-slate-500">of {formatBytes(member.dbSize ?? 0)} allocated</span>
        </dd>
        <dt className="text-slate-500">reclaimable</dt>
        <dd data-testid="reclaim">{member.reclaim}</dd>
        <dt className="text-slate-500">raft index</dt>
        <dd>
          <span className="font-mono">{formatCount(member.raftIndex ?? 0)}</span>{" "}
          <span className="text-slate-500">
            applied {formatCount(member.raftAppliedIndex ?? 0)}
            {member.applyLag === null || member.applyLag === undefined
              ? ""
              : member.applyLag === 0
                ? " (caught up)"
                : ` (${formatCount(member.applyLag)} behind)`}
          </span>
        </dd>
        <dt className="text-slate-500">raft term</dt>
        <dd className="font-mono">{member.raftTerm}</dd>
        <dt className="text-slate-500">member</dt>
        <dd className="font-mono">{member.memberIdHex}</dd>
        {member.errors?.length ? (
          <>
            <dt className="text-slate-500">errors</dt>
            <dd className="text-red-800">{member.errors.join("; ")}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
