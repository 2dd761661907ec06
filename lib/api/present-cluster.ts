import "server-only";
import type { Alarm, EndpointStatus, Member } from "@/lib/etcd/cluster-types";
import type { ResponseHeader } from "@/lib/etcd/kv";
import type { ClusterArchiveStatus } from "@/lib/archive/service";
import type { ClusterArchiveDto, ClusterDto, ClusterHeaderDto, ClustersDto, HealthDto, RecorderStateDto } from "./dto";
import { presentCoverage } from "./present-archive";
import { presentAuditStatus } from "./present-audit";
import type { AuditTrailStatus } from "@/lib/audit";

// The one place the cluster's answers are built: its header, its full picture (members,
// endpoints, alarms, compaction), the configured clusters and the health check.

export function presentClusterHeader(header: ResponseHeader): ClusterHeaderDto {
  return { clusterId: header.clusterId, memberId: header.memberId, revision: header.revision, raftTerm: header.raftTerm };
}

export function presentCluster(
  header: ResponseHeader,
  parts: { members: Member[]; endpoints: EndpointStatus[]; alarms: Alarm[]; compactRevision: number; archive: ClusterArchiveStatus },
): ClusterDto {
  return {
    ...presentClusterHeader(header),
    members: parts.members,
    endpoints: parts.endpoints,
    alarms: parts.alarms,
    compactRevision: parts.compactRevision,
    archive: presentClusterArchive(parts.archive),
  };
}

export function presentClusterArchive(status: ClusterArchiveStatus): ClusterArchiveDto {
  const coverage = status.coverage ? presentCoverage(status.coverage.engine, status.coverage.coverage) : null;
  return { coverage, recorder: presentRecorderState(status.recorder) };
}

function presentRecorderState(state: ClusterArchiveStatus["recorder"]): RecorderStateDto {
  switch (state?.state) {
    case undefined:
    case "stopped":
      return { state: "off" };
    case "standby":
      return { state: "standby" };
    case "baseline":
      return { state: "baseline", revision: state.revision };
    case "recording":
      return { state: "recording", lastRevision: state.lastRevision };
    case "failing":
      return { state: "failing", error: state.error };
    case "starting":
      return { state: "starting" };
  }
}

/** Names and default prefixes only: never endpoints or credentials. */
export function presentClusters(clusters: { name: string; defaultPrefix?: string }[]): ClustersDto {
  return { clusters: clusters.map(({ name, defaultPrefix }) => (defaultPrefix === undefined ? { name } : { name, defaultPrefix })) };
}

export function presentHealth(etcd: { revision: number } | { error: unknown }, audit: AuditTrailStatus): HealthDto {
  const auditDto = presentAuditStatus(audit);
  if ("revision" in etcd) return { ok: true, etcd: { reachable: true, revision: etcd.revision }, audit: auditDto };
  return {
    ok: true,
    etcd: { reachable: false, error: etcd.error instanceof Error ? etcd.error.message : String(etcd.error) },
    audit: auditDto,
  };
}
