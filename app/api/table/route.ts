// GET /api/table?prefix=P[&rev=R | &at=T][&cursor=C][&limit=N] — one page of the folder P (its trailing
// slash included) as the table `kubectl get` prints for the resource its objects are, with the
// values of that page's keys only read and decoded, from the archive at a revision etcd has
// compacted. Server-Timing says how long the server took.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentTable } from "@/lib/api/present-table";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { isCompactedRefusal, readLevelValuesFromArchive } from "@/lib/archive/archived-level";
import { getCluster, getClusterName } from "@/lib/etcd/client";
import { readTablePage } from "@/lib/kube-table/read-table-page";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

const SLASH = 0x2f;

export const GET = apiRoute(async (request) => {
  const started = performance.now();
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  if (prefix.length > 0 && prefix[prefix.length - 1] !== SLASH) {
    throw new AppError("bad_request", `"prefix" names a folder and ends with "/"`);
  }
  const revision = await query.revisionOrTime("rev", "at");
  const limit = query.parsed("limit", limitParam(200, 500));
  const cursor = query.cursor("cursor");
  const connection = getCluster(query.clusterName());
  const page = await readRefusingFuture(connection, { rev: revision }, () =>
    callEtcd(connection, () => readTablePage(connection, { prefix, revision, cursor, limit }), { revision }),
  ).catch((error: unknown) => {
    // etcd has compacted the revision: the archive answers when it holds it whole.
    if (revision === undefined || !isCompactedRefusal(error)) throw error;
    const cluster = getClusterName(query.clusterName());
    return readTablePage(connection, { prefix, revision, cursor, limit }, (page, onValues) =>
      readLevelValuesFromArchive(cluster, { ...page, revision }, error, onValues),
    );
  });
  const body = presentTable(page);
  return Response.json(body, {
    headers: {
      "cache-control": "no-store",
      "server-timing": `table;desc="read and decode";dur=${(performance.now() - started).toFixed(1)}`,
    },
  });
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
