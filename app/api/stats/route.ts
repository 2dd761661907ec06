// GET /api/stats?prefix=P[&cluster=C][&cursor=C][&limit=N][&sort=bytes|keys|writes] — space and churn
// of the children of one level at the current revision, from the folder index: per child its
// keys, the bytes of their current values (keys not counted) and writes per minute over the last
// 1, 10 and 60 minutes (per folder; null for a direct key), plus the level's and the keyspace's
// totals and the sizing pass's progress (bytes count only sized keys until it is "ready"). In key
// order as the tree lists the level, paged with cursor; with sort, the level's folders ranked by
// that figure (largest first, no cursor) and the largest values under P. Access: the list right
// on something under P, else a 403; a child the viewer may not see is not listed, one seen in part
// is listed as partial without figures.
import { z } from "zod";
import { limitParam } from "@/lib/api/params";
import { openClusterFor } from "@/lib/api/open-cluster";
import { presentStats } from "@/lib/api/present-stats";
import { apiRoute, QueryParams } from "@/lib/api/route";
import type { StatsDto } from "@/lib/api/dto";
import { callEtcd } from "@/lib/etcd/call";
import { readLevelStats } from "@/lib/etcd/folder-index/level-stats";
import { concatBytes } from "@/lib/keys";

export const dynamic = "force-dynamic";

const SLASH = Uint8Array.of(0x2f);

export const GET = apiRoute(async (request, access): Promise<StatsDto> => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const limit = query.parsed("limit", limitParam(200, 1000));
  const cursor = query.cursor("cursor");
  const sort = query.parsed("sort", z.enum(["bytes", "keys", "writes"]).optional());
  const { connection, cluster } = openClusterFor(query, access);
  access.requireSomeUnder(cluster, prefix, "list");
  const stats = await callEtcd(connection, () =>
    readLevelStats(connection, {
      prefix,
      cursor,
      limit,
      sort,
      visibility: ({ key, isFolder }) => {
        const folder = isFolder ? access.under(cluster, concatBytes(key, SLASH), "list").kind : "none";
        const own = access.mayKey(cluster, key, "list");
        if (folder === "all" && (own || !isFolder)) return "all";
        if (folder === "none") return own ? "all" : "none";
        return "some";
      },
      seesLevel: access.under(cluster, prefix, "list").kind === "all",
      seesKeyspace: access.under(cluster, new Uint8Array(), "list").kind === "all",
      mayKey: (key) => access.mayKey(cluster, key, "list"),
    }),
  );
  return presentStats(prefix, stats);
});
