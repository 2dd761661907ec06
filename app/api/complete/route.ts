// GET /api/complete?q=TEXT[&limit=N] — keys and folders that continue what was typed, from the
// level the text ends in (bounded: one page of one level). POST: the same query in the body, for
// text too long for a URL (see QueryParams.read); the jump box sends one for a pasted long key.
import { limitParam } from "@/lib/api/params";
import { presentCompletions } from "@/lib/api/present-children";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { completeKey } from "@/lib/etcd/complete-key";
import type { ChildDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<{ items: ChildDto[] }> => {
  const query = await QueryParams.read(request);
  const typed = query.keyOrEmpty("q");
  const limit = query.parsed("limit", limitParam(20, 100));
  const connection = getCluster(query.clusterName());
  const items = await callEtcd(connection, () => completeKey(connection, typed, limit));
  return presentCompletions(items);
});

export const POST = GET;
