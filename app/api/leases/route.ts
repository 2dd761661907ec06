// GET /api/leases[?cursor=C][&limit=N] — live leases with their TTLs, by ID.
// GET /api/leases?id=L[&cursor=C][&limit=N] — one lease: granted and remaining TTL, attached keys.
// Access: the cluster's rule. Leases themselves (IDs, TTLs) hold no key data and are listed to
// anyone with a rule for the cluster; a lease's attached keys are only those the viewer may list,
// counted so, with `someHidden` saying that others are attached (how many is not said).
import { z } from "zod";
import { limitParam } from "@/lib/api/params";
import { leaseIdSchema } from "@/lib/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { getLeaseOrThrow, listLeases } from "@/lib/etcd/leases";
import { presentLeaseDetail, presentLeases } from "@/lib/api/present-lease";
import type { LeaseDetailDto, LeasesDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

const leaseIdParam = leaseIdSchema.optional();

const cursorParam = z
  .string()
  .regex(/^[0-9]{1,9}$/, "a cursor is a whole number")
  .transform(Number)
  .optional()
  .transform((value) => value ?? 0);

export const GET = apiRoute(async (request, access): Promise<LeasesDto | LeaseDetailDto> => {
  const query = new QueryParams(request);
  const id = query.parsed("id", leaseIdParam);
  const cursor = query.parsed("cursor", cursorParam);
  const { connection, cluster } = openClusterFor(query, access);
  if (!id) {
    const limit = query.parsed("limit", limitParam(100, 200));
    return presentLeases(await callEtcd(connection, () => listLeases(connection, { cursor, limit })));
  }
  const limit = query.parsed("limit", limitParam(200, 1000));
  const lease = await callEtcd(connection, () =>
    getLeaseOrThrow(connection, id, { cursor, limit }, access.keyFilter(cluster, new Uint8Array(0), "list")),
  );
  return presentLeaseDetail(lease);
});
