// GET /api/clusters — the configured clusters' names and default prefixes (never endpoints or
// credentials), the first being the default. Access: only the clusters the viewer has a rule for.
import { apiRoute } from "@/lib/api/route";
import { listClusterNames } from "@/lib/etcd/client";
import type { ClustersDto } from "@/lib/api/dto";
import { presentClusters } from "@/lib/api/present-cluster";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (_request, access): Promise<ClustersDto> =>
  presentClusters(listClusterNames().filter(({ name }) => access.seesCluster(name))),
);
