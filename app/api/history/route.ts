// GET /api/history?key=K[&before=R][&limit=N] — the revisions of one key, newest first.
import { limitParam, revisionParam } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { getHistory } from "@/lib/etcd/history";
import type { HistoryDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<HistoryDto> => {
  const query = new QueryParams(request);
  const key = query.keyOrThrow("key");
  const before = query.parsed("before", revisionParam);
  const limit = query.parsed("limit", limitParam(50, 500));
  const connection = getCluster();
  return callEtcd(connection, () => getHistory(connection, key, { before, limit }), { revision: before });
});
