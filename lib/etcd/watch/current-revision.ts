import "server-only";
import type { ClusterConnection } from "../client";
import { range } from "../kv";

const PROBE_KEY = Buffer.from("\u0000etcdlens/revision-probe");

/** The cluster's current revision, from the cheapest request etcd answers with a header. */
export async function readCurrentRevision(connection: ClusterConnection): Promise<number> {
  const response = await range(connection, { key: PROBE_KEY, countOnly: true });
  return response.header.revision;
}
