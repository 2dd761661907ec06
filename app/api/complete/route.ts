// GET /api/complete?q=TEXT[&limit=N] — keys and folders that continue what was typed, from the
// level the text ends in (bounded: one page of one level). POST: the same query in the body, for
// text too long for a URL (see QueryParams.read); the jump box sends one for a pasted long key.
// Access: only what the viewer may list is suggested (nothing, rather than a 403, where they may list nothing).
import { limitParam } from "@/lib/api/params";
import { presentCompletions } from "@/lib/api/present-children";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { completeKey } from "@/lib/etcd/complete-key";
import { anyKeyUnder, listChildren } from "@/lib/etcd/list-children";
import { listVisibleLevel } from "@/lib/etcd/visible-level";
import { parentLevel } from "@/lib/keys";
import type { ChildDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<{ items: ChildDto[] }> => {
  const query = await QueryParams.read(request);
  const typed = query.keyOrEmpty("q");
  const limit = query.parsed("limit", limitParam(20, 100));
  const { connection, cluster } = openClusterFor(query, access);
  const visibility = access.under(cluster, parentLevel(typed), "list");
  if (visibility.kind === "none") return presentCompletions([]);
  const whole = (request: Parameters<typeof listChildren>[1]) => listChildren(connection, request);
  const list =
    visibility.kind === "all"
      ? whole
      : (request: Parameters<typeof listChildren>[1]) =>
          listVisibleLevel(whole, request, visibility.prefixes, { anyKeyUnder: (under, at) => anyKeyUnder(connection, under, at) });
  const items = await callEtcd(connection, () => completeKey(connection, typed, limit, list));
  return presentCompletions(items);
});

export const POST = GET;
