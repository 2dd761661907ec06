// GET /api/insights/etcd[?cluster=] — etcd's own figures per configured endpoint (Maintenance
// Status: DB size against the quota, in use against allocated and what defragmenting would
// reclaim, raft index against applied index, raft term, leader, version) and the alarms (NOSPACE,
// CORRUPT; listed, never disarmed). etcd does not report --quota-backend-bytes: the config file's
// quotaBackendBytes gives it, else etcd's default 2 GiB (quotaSource says which).
// Access: a rule for the cluster (these are etcd's figures, no key data), else a 403.
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { getEndpointStatuses, listAlarms } from "@/lib/etcd/cluster";
import { DEFAULT_QUOTA_BACKEND_BYTES } from "@/lib/insights/etcd-figures";
import { presentInsightsEtcd } from "@/lib/api/present-insights";
import type { InsightsEtcdDto } from "@/lib/api/dto";
import type { NamedCluster } from "@/lib/env";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<InsightsEtcdDto> => {
  const query = new QueryParams(request);
  const { connection } = openClusterFor(query, access);
  const [endpoints, alarms] = await callEtcd(connection, () => Promise.all([getEndpointStatuses(connection), listAlarms(connection)]));
  const configured = (connection.settings as Partial<NamedCluster>).quotaBackendBytes;
  return presentInsightsEtcd(endpoints, alarms, { bytes: configured ?? DEFAULT_QUOTA_BACKEND_BYTES, fromConfig: configured !== undefined });
});
