// GET /api/changes?prefix=P[&from=A][&to=B][&cursor=C][&limit=N][&type=PUT|DELETE][&contains=S]
// — every change under a prefix in a revision range, newest first, from etcd's event history.
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { limitParam, revisionParam } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { listChanges } from "@/lib/etcd/changes";
import { getCluster } from "@/lib/etcd/client";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { ChangesDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<ChangesDto> => {
  const query = new QueryParams(request);
  const prefix = query.keyOrEmpty("prefix");
  const from = query.parsed("from", revisionParam);
  const to = query.parsed("to", revisionParam);
  const cursor = query.parsed("cursor", revisionParam);
  const limit = query.parsed("limit", limitParam(100, 1000));
  const type = query.parsed("type", z.enum(["PUT", "DELETE"]).optional());
  const contains = query.keyOrEmpty("contains");
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError("bad_request", `"from" (${from}) is after "to" (${to})`);
  }
  const connection = getCluster(query.clusterName());
  const page = await callEtcd(
    connection,
    () => listChanges(connection, { prefix, from, to, cursor, limit, type, contains: contains.length ? contains : undefined }),
    { revision: from },
  );
  return {
    ...page,
    items: page.items.map((item) => ({
      revision: item.revision,
      key: keyToDisplay(item.key),
      keyBase64: bytesToBase64(item.key),
      type: item.type,
      version: item.version,
    })),
  };
});
