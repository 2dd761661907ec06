// GET /api/keys?prefix=P[&rev=R][&cursor=C][&limit=N][&contains=S] — the immediate children of one
// tree level; with contains, only those whose name contains S (read in bounded steps).
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentChild } from "@/lib/api/present";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { filterChildren } from "@/lib/etcd/filter-children";
import { listChildren } from "@/lib/etcd/list-children";
import { bytesToBase64Url } from "@/lib/keys";
import type { ChildrenDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<ChildrenDto> => {
  const query = new QueryParams(request);
  const prefix = query.keyOrEmpty("prefix");
  const revision = query.revision("rev");
  const limit = query.parsed("limit", limitParam(200, 1000));
  const cursor = query.cursor("cursor");
  const connection = getCluster(query.clusterName());
  const contains = query.keyOrEmpty("contains");
  const page = await readRefusingFuture(connection, { rev: revision }, () =>
    callEtcd(
      connection,
      () =>
        contains.length > 0
          ? filterChildren(connection, { prefix, revision, cursor, limit, contains })
          : listChildren(connection, { prefix, revision, cursor, limit }),
      { revision },
    ),
  );
  return {
    revision: page.revision,
    items: page.items.map((item) => (item.keyCount === undefined ? presentChild(item) : { ...presentChild(item), keyCount: item.keyCount })),
    nextCursor: page.nextCursor ? bytesToBase64Url(page.nextCursor) : null,
    ...(page.indexing ? { indexing: page.indexing } : {}),
  };
});
