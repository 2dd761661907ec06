// GET /api/cluster — cluster and member IDs, current revision and raft term (etcdctl's header).
import { apiRoute } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import type { ClusterDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (): Promise<ClusterDto> => {
  const connection = getCluster();
  const header = await callEtcd(connection, () => getClusterHeader(connection));
  return { ...header, endpoints: connection.settings.endpoints };
});
