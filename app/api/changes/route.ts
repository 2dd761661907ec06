// GET /api/changes?prefix=P[&from=A][&to=B][&cursor=C][&limit=N][&type=PUT|DELETE][&contains=S][&manager=M]
// — every change under a prefix in a revision range, newest first, from etcd's event history;
// with `manager`, only the changes that field manager made (read from metadata.managedFields).
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { limitParam, refuseFutureRevisions } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { listChanges } from "@/lib/etcd/changes";
import { getCluster } from "@/lib/etcd/client";
import { isChangeBy, presentChanges } from "@/lib/api/present-change";
import { managerSchema } from "@/lib/params";
import type { ChangesDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<ChangesDto> => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const from = query.revision("from");
  const to = query.revision("to");
  const cursor = query.revision("cursor");
  const limit = query.parsed("limit", limitParam(100, 1000));
  const type = query.parsed("type", z.enum(["PUT", "DELETE"]).optional());
  const contains = query.keyOrEmpty("contains");
  const manager = query.parsed("manager", managerSchema.optional());
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError("bad_request", `"from" (${from}) is after "to" (${to})`);
  }
  const connection = getCluster(query.clusterName());
  const page = await callEtcd(
    connection,
    () =>
      listChanges(connection, {
        prefix,
        from,
        to,
        cursor,
        limit,
        type,
        contains: contains.length ? contains : undefined,
        keep: manager === undefined ? undefined : (item) => isChangeBy(item, manager),
      }),
    { revision: from },
  );
  // A replay from a revision etcd has not reached finds nothing; say so instead of an empty page.
  refuseFutureRevisions(page.revision, { from, to, cursor });
  return presentChanges(page);
});

// The same query in a POST body, for a prefix too long for a URL (see QueryParams.read).
export const POST = GET;
