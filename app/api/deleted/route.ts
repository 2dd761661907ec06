// GET /api/deleted?prefix=P[&from=A][&to=B][&cursor=C][&limit=N][&cluster=C] — every key deleted
// under a prefix in a revision range, newest first, each with the version the deletion removed
// (read at deletedAt − 1 from etcd, or from the archive where etcd compacted it), whether it
// exists again now, and for Kubernetes objects kind/namespace/name. from/to are revisions or
// RFC 3339 times (as /api/changes takes them). Access: the list right on something under the
// prefix (else a 403); only keys the viewer may list are shown, their values only where they may read.
import { limitParam, refuseFutureRevisions } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { openClusterFor } from "@/lib/api/open-cluster";
import { presentReadFrom } from "@/lib/api/present-archive";
import { presentDeleted } from "@/lib/api/present-deleted";
import type { DeletedDto } from "@/lib/api/dto";
import { readRevisionTimes } from "@/lib/archive/revision-times";
import { openArchiveView } from "@/lib/archive/reach-back";
import { listDeletedKeys } from "@/lib/deleted/list-deleted";
import { callEtcd } from "@/lib/etcd/call";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<DeletedDto> => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const from = await query.revisionOrTimeIn("from");
  const to = await query.revisionOrTimeIn("to");
  const cursor = query.revision("cursor");
  const limit = query.parsed("limit", limitParam(50, 500));
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError("bad_request", `"from" (${from}) is after "to" (${to})`);
  }
  const { connection, cluster } = openClusterFor(query, access);
  access.requireSomeUnder(cluster, prefix, "list");
  const visible = access.keyFilter(cluster, prefix, "list");
  const readable = access.keyFilter(cluster, prefix, "read") ?? (() => true);
  const archive = await openArchiveView(cluster);
  const page = await callEtcd(
    connection,
    () => listDeletedKeys(connection, cluster, archive, { prefix, from, to, cursor, limit, visible }),
    {
      revision: from,
    },
  );
  refuseFutureRevisions(page.revision, { from, to, cursor });
  const times = await readRevisionTimes(
    cluster,
    page.items.map((item) => item.deletedAt),
  );
  const body: DeletedDto = {
    revision: page.revision,
    compactRevision: page.compactRevision,
    items: page.items.map((item) => presentDeleted(item, times.get(item.deletedAt), readable(item.key))),
    next: page.nextCursor,
    readFrom: presentReadFrom(page.source, archive),
  };
  if (query.text("from") !== undefined || query.text("to") !== undefined)
    body.window = { from, to, ...([...query.resolvedTimes.values()].some((found) => found.estimated) ? { estimated: true } : {}) };
  return body;
});

// The same query in a POST body, for a prefix too long for a URL (see QueryParams.read).
export const POST = GET;
