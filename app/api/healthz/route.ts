// GET /api/healthz — 200 whenever the dashboard is up, saying whether etcd answers and whether the
// audit trail is written (audit.log / audit.archive: "failing" with the reason). Public: the
// probes of a Deployment and a load balancer ask it without signing in.
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import type { HealthDto } from "@/lib/api/dto";
import { presentHealth } from "@/lib/api/present-cluster";
import { getAuditTrailStatus } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async (request): Promise<HealthDto> => {
    try {
      const connection = getCluster(new QueryParams(request).clusterName());
      const header = await callEtcd(connection, () => getClusterHeader(connection));
      return presentHealth({ revision: header.revision }, getAuditTrailStatus());
    } catch (error) {
      return presentHealth({ error }, getAuditTrailStatus());
    }
  },
  { public: true },
);
