import "server-only";
import type { ClusterConnection } from "./client";
import { range, type ResponseHeader } from "./kv";

// A key nobody writes: a count over it is the cheapest request that returns a response header.
const HEADER_PROBE_KEY = Buffer.from("\u0000etcdlens/header-probe");

/** The cluster and member IDs, current revision and raft term, as etcdctl's JSON header shows them. */
export async function getClusterHeader(connection: ClusterConnection): Promise<ResponseHeader> {
  const result = await range(connection, { key: HEADER_PROBE_KEY, countOnly: true });
  return result.header;
}
