// GET /api/history?key=K[&before=R][&limit=N] — the revisions of one key, newest first, each with
// its lifecycle, whether a create re-created the key, and a one-line summary of what it changed.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { presentHistory } from "@/lib/api/present-history";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { getHistory } from "@/lib/etcd/history";
import type { HistoryDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<HistoryDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const before = query.revision("before");
  const limit = query.parsed("limit", limitParam(50, 500));
  const connection = getCluster(query.clusterName());
  const page = await readRefusingFuture(connection, { before }, () =>
    callEtcd(connection, () => getHistory(connection, key, { before, limit }), { revision: before }),
  );
  return presentHistory(page, key);
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
