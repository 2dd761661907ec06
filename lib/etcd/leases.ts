import "server-only";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "./client";

// Leases as `etcdctl lease list` and `etcdctl lease timetolive --keys` show them. etcd returns
// every lease ID in one answer and every attached key in one answer; the pages here bound what
// goes to the browser and how many TTL look-ups one request makes.

export type LeaseSummary = { id: string; grantedTtl: number; remainingTtl: number };
export type LeaseDetail = LeaseSummary & { keys: Buffer[]; totalKeys: number; someHidden: boolean; nextCursor: number | null };

const MAX_LEASES_PAGE = 200;

async function timeToLive(connection: ClusterConnection, id: string, keys: boolean) {
  const response = await connection.client.leaseClient.leaseTimeToLive({ ID: id, keys });
  const remaining = Number(response.TTL);
  // etcd answers TTL -1 for a lease that does not exist (never granted, revoked or expired).
  if (remaining < 0) return undefined;
  return { id, grantedTtl: Number(response.grantedTTL), remainingTtl: remaining, keys: response.keys ?? [] };
}

export async function listLeases(
  connection: ClusterConnection,
  page: { cursor: number; limit: number },
): Promise<{ items: LeaseSummary[]; total: number; nextCursor: number | null }> {
  const response = await connection.client.leaseClient.leaseLeases();
  const ids = (response.leases ?? []).map((lease) => String(lease.ID)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const limit = Math.min(page.limit, MAX_LEASES_PAGE);
  const slice = ids.slice(page.cursor, page.cursor + limit);
  const found = await Promise.all(slice.map((id) => timeToLive(connection, id, false)));
  const items = found.filter((lease): lease is NonNullable<typeof lease> => lease !== undefined).map(({ keys: _keys, ...lease }) => lease);
  const next = page.cursor + limit;
  return { items, total: ids.length, nextCursor: next < ids.length ? next : null };
}

export async function getLeaseOrThrow(
  connection: ClusterConnection,
  id: string,
  page: { cursor: number; limit: number },
  /** The attached keys the viewer may list (access rules); every one when absent. */
  visible?: (key: Uint8Array) => boolean,
): Promise<LeaseDetail> {
  const lease = await timeToLive(connection, id, true);
  if (!lease) throw new AppError("not_found", `no lease ${id}: it expired, was revoked or never existed`);
  const keys = lease.keys.filter((key) => !visible || visible(key)).sort(Buffer.compare);
  const next = page.cursor + page.limit;
  return {
    id,
    grantedTtl: lease.grantedTtl,
    remainingTtl: lease.remainingTtl,
    keys: keys.slice(page.cursor, next),
    totalKeys: keys.length,
    someHidden: keys.length < lease.keys.length,
    nextCursor: next < keys.length ? next : null,
  };
}
