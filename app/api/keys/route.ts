// GET /api/keys?prefix=P[&rev=R][&cursor=C][&limit=N][&contains=S] — the immediate children of one
// tree level; with contains, only those whose name contains S (read in bounded steps). A prefix
// without its trailing slash lists that folder when it has entries, and `listed` says so.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentChildren } from "@/lib/api/present-children";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { filterChildren } from "@/lib/etcd/filter-children";
import { listChildren } from "@/lib/etcd/list-children";
import { range } from "@/lib/etcd/kv";
import { childLevel } from "@/lib/keys";
import type { ChildrenDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

const SLASH = 0x2f;

export const GET = apiRoute(async (request): Promise<ChildrenDto> => {
  const query = await QueryParams.read(request);
  const asked = query.keyOrEmpty("prefix");
  const revision = query.revision("rev");
  const limit = query.parsed("limit", limitParam(200, 1000));
  const cursor = query.cursor("cursor");
  const connection = getCluster(query.clusterName());
  const contains = query.keyOrEmpty("contains");
  const list = (prefix: Uint8Array) =>
    readRefusingFuture(connection, { rev: revision }, () =>
      callEtcd(
        connection,
        () =>
          contains.length > 0
            ? filterChildren(connection, { prefix, revision, cursor, limit, contains })
            : listChildren(connection, { prefix, revision, cursor, limit }),
        { revision },
      ),
    );
  // A level is named with its trailing slash: "/registry/pods" as a level holds nothing. When the
  // folder "/registry/pods/" has entries, that is what the user meant; list it and say so.
  const folder = asked.length > 0 && asked[asked.length - 1] !== SLASH ? childLevel(asked) : undefined;
  let page = folder ? await list(folder) : await list(asked);
  if (folder && (page.items.length > 0 || page.indexing || cursor)) {
    const keyExists = await callEtcd(connection, () => range(connection, { key: asked, revision, countOnly: true }), { revision });
    return presentChildren(page, { asked, folder, keyExists: keyExists.count > 0 });
  }
  if (folder) page = await list(asked);
  return presentChildren(page);
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
