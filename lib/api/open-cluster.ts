import "server-only";
import type { RequestAccess } from "@/lib/auth/request-access";
import { getCluster, getClusterName, type ClusterConnection } from "@/lib/etcd/client";
import type { QueryParams } from "./route";

/**
 * The cluster a request names (`cluster=`, else the default) once the viewer is allowed it: the
 * one way routes open a cluster, so none forgets the access check. A name the viewer has no rule
 * for is refused before it is looked up, so that the refusal of an unknown name (which lists the
 * configured ones) goes only to viewers who may see clusters by that name.
 */
export function openClusterFor(query: QueryParams, access: RequestAccess): { connection: ClusterConnection; cluster: string } {
  const asked = query.clusterName();
  if (asked !== undefined) access.requireCluster(asked);
  const cluster = getClusterName(asked);
  access.requireCluster(cluster);
  return { connection: getCluster(cluster), cluster };
}
