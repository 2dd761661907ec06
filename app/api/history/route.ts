// GET /api/history?key=K[&before=R][&limit=N] — the revisions of one key, newest first, each with
// its lifecycle, whether a create re-created the key, and a one-line summary of what it changed.
// Past etcd's compaction the history continues from the archive; `readFrom` says which answered
// and `gaps` names revisions the archive never recorded. Access: the read right on the key (the
// summaries are made of its values).
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { presentHistory } from "@/lib/api/present-history";
import { getMergedHistory } from "@/lib/archive/merged-history";
import { tryArchiveView, withArchiveUnavailable } from "@/lib/archive/reach-back";
import { readRevisionTimes } from "@/lib/archive/revision-times";
import { openClusterFor } from "@/lib/api/open-cluster";
import type { HistoryDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<HistoryDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const before = query.revision("before");
  const limit = query.parsed("limit", limitParam(50, 500));
  const { connection, cluster } = openClusterFor(query, access);
  access.requireKey(cluster, key, "read");
  const { view: archive, unavailable } = await tryArchiveView(cluster);
  const page = await readRefusingFuture(connection, { before }, () =>
    getMergedHistory(connection, cluster, key, { before, limit }, archive),
  ).catch((error: unknown) => {
    throw withArchiveUnavailable(error, unavailable);
  });
  const times = await readRevisionTimes(
    cluster,
    page.items.map(({ entry }) => entry.revision),
  );
  return presentHistory(page, key, archive, times, unavailable);
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
