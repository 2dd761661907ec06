"use client";

import { useQuery } from "@tanstack/react-query";
import type { EndpointStatusDto } from "@/lib/api/dto";
import { clusterQueries } from "@/lib/queries";
import { Badge, ErrorPanel, Loading } from "@/components/ui/panels";
import { ArchiveStatus } from "./archive-status";
import { useClusterName } from "./cluster-scope";

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function ClusterOverview() {
  const query = useQuery(clusterQueries.overview(useClusterName()));
  if (query.isPending) return <Loading label="Asking the cluster…" />;
  if (query.isError)
    return (
      <div className="p-4">
        <ErrorPanel title="Could not read the cluster">{query.error.message}</ErrorPanel>
      </div>
    );
  const cluster = query.data;
  return (
    <div className="space-y-6 overflow-auto p-4 text-sm">
      <section aria-labelledby="summary-title">
        <h1 id="summary-title" className="mb-2 text-base font-semibold">
          Cluster
        </h1>
        <dl className="grid max-w-xl grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-slate-500">cluster ID</dt>
          <dd className="font-mono">
            {BigInt(cluster.clusterId).toString(16)} <span className="text-slate-400">({cluster.clusterId})</span>
          </dd>
          <dt className="text-slate-500">current revision</dt>
          <dd className="font-mono">{cluster.revision}</dd>
          <dt className="text-slate-500">compaction revision</dt>
          <dd className="font-mono">{cluster.compactRevision || "none (full history kept)"}</dd>
          <dt className="text-slate-500">raft term</dt>
          <dd className="font-mono">{cluster.raftTerm}</dd>
        </dl>
        <div className="mt-2">
          <ArchiveStatus archive={cluster.archive} />
        </div>
      </section>

      <section aria-labelledby="alarms-title">
        <h2 id="alarms-title" className="mb-2 font-semibold">
          Alarms
        </h2>
        {cluster.alarms.length === 0 ? (
          <p className="text-slate-600">No active alarms.</p>
        ) : (
          <ul role="alert" className="space-y-1">
            {cluster.alarms.map((alarm) => (
              <li key={`${alarm.memberIdHex}-${alarm.alarm}`}>
                <Badge tone="red">{alarm.alarm}</Badge> on member <span className="font-mono">{alarm.memberIdHex}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="members-title">
        <h2 id="members-title" className="mb-2 font-semibold">
          Members
        </h2>
        <table aria-labelledby="members-title" className="min-w-full border border-slate-200 bg-white">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th className="px-2 py-1">ID</th>
              <th className="px-2 py-1">name</th>
              <th className="px-2 py-1">peer URLs</th>
              <th className="px-2 py-1">client URLs</th>
              <th className="px-2 py-1">learner</th>
            </tr>
          </thead>
          <tbody>
            {cluster.members.map((member) => (
              <tr key={member.id} className="border-t border-slate-100">
                <td className="px-2 py-1 font-mono">{member.idHex}</td>
                <td className="px-2 py-1">{member.name || "(unstarted)"}</td>
                <td className="px-2 py-1 font-mono text-xs">{member.peerUrls.join(", ")}</td>
                <td className="px-2 py-1 font-mono text-xs">{member.clientUrls.join(", ")}</td>
                <td className="px-2 py-1">{member.isLearner ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="endpoints-title">
        <h2 id="endpoints-title" className="mb-2 font-semibold">
          Endpoints
        </h2>
        <table aria-labelledby="endpoints-title" className="min-w-full border border-slate-200 bg-white">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              {["endpoint", "status", "member", "version", "DB size", "in use", "leader", "raft index", "raft term", "errors"].map(
                (title) => (
                  <th key={title} className="px-2 py-1">
                    {title}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {cluster.endpoints.map((endpoint) => (
              <EndpointRow key={endpoint.endpoint} endpoint={endpoint} />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function EndpointRow({ endpoint }: { endpoint: EndpointStatusDto }) {
  if (!endpoint.ok) {
    return (
      <tr className="border-t border-slate-100 bg-red-50">
        <td className="px-2 py-1 font-mono">{endpoint.endpoint}</td>
        <td className="px-2 py-1">
          <Badge tone="red">down</Badge>
        </td>
        <td colSpan={8} className="px-2 py-1 text-red-800">
          {endpoint.error}
        </td>
      </tr>
    );
  }
  return (
    <tr className="border-t border-slate-100">
      <td className="px-2 py-1 font-mono">{endpoint.endpoint}</td>
      <td className="px-2 py-1">
        <Badge tone="green">up</Badge>
      </td>
      <td className="px-2 py-1 font-mono">{endpoint.memberIdHex}</td>
      <td className="px-2 py-1">{endpoint.version}</td>
      <td className="px-2 py-1">{formatBytes(endpoint.dbSize)}</td>
      <td className="px-2 py-1">{formatBytes(endpoint.dbSizeInUse)}</td>
      <td className="px-2 py-1">{endpoint.isLeader ? "leader" : endpoint.isLearner ? "learner" : "follower"}</td>
      <td className="px-2 py-1 font-mono">{endpoint.raftIndex}</td>
      <td className="px-2 py-1 font-mono">{endpoint.raftTerm}</td>
      <td className="px-2 py-1">{endpoint.errors?.length ? endpoint.errors.join("; ") : "none"}</td>
    </tr>
  );
}
