// GET /api/cluster[?view=header] — the cluster as etcdctl shows it: the response header (cluster
// and member IDs, revision, raft term), members, each configured endpoint's status, alarms and the
// compaction revision, and the archive (what it holds of the cluster, what this replica's recorder
// does: recording, standby, baseline, failing, off). view=header answers the header alone, cheaply (the page header polls it).
// Access: a rule for the cluster (any right on any prefix of it), else a 403.
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { getClusterHeader, getEndpointStatuses, listAlarms, listMembers } from "@/lib/etcd/cluster";
import { getCompactRevision } from "@/lib/etcd/watch";
import { readClusterArchiveStatus } from "@/lib/archive/service";
import type { ClusterDto, ClusterHeaderDto } from "@/lib/api/dto";
import { presentCluster, presentClusterHeader } from "@/lib/api/present-cluster";
import { z } from "zod";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<ClusterDto | ClusterHeaderDto> => {
  const query = new QueryParams(request);
  const view = query.parsed("view", z.enum(["full", "header"]).optional());
  const { connection, cluster } = openClusterFor(query, access);
  const header = await callEtcd(connection, () => getClusterHeader(connection));
  if (view === "header") return presentClusterHeader(header);
  const [[members, endpoints, alarms, compactRevision], archive] = await Promise.all([
    callEtcd(connection, () =>
      Promise.all([listMembers(connection), getEndpointStatuses(connection), listAlarms(connection), getCompactRevision(connection)]),
    ),
    readClusterArchiveStatus(cluster),
  ]);
  return presentCluster(header, { members, endpoints, alarms, compactRevision, archive });
});
