// GET /api/table?prefix=P[&rev=R | &at=T][&cursor=C][&limit=N] — one page of the folder P (its trailing
// slash included) as the table `kubectl get` prints for the resource its objects are, with the
// values of that page's keys only read and decoded, from the archive at a revision etcd has
// compacted. Server-Timing says how long the server took. Access: the read right (rows show
// values) on something under P, else a 403; a folder the rules show in part has only the rows of
// keys the viewer may read, and of folders leading to them.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentTable } from "@/lib/api/present-table";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { isCompactedRefusal, readLevelValuesFromArchive } from "@/lib/archive/archived-level";
import { openClusterFor } from "@/lib/api/open-cluster";
import { readLevelValues, type LevelValuesPage } from "@/lib/etcd/level-values";
import { anyKeyUnder, listChildren } from "@/lib/etcd/list-children";
import { inOneVisibleRun, listVisibleLevel } from "@/lib/etcd/visible-level";
import { concatBytes } from "@/lib/keys";
import { readTablePage } from "@/lib/kube-table/read-table-page";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

const SLASH = 0x2f;

export const GET = apiRoute(async (request, access) => {
  const started = performance.now();
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  if (prefix.length > 0 && prefix[prefix.length - 1] !== SLASH) {
    throw new AppError("bad_request", `"prefix" names a folder and ends with "/"`);
  }
  const revision = await query.revisionOrTime("rev", "at");
  const limit = query.parsed("limit", limitParam(200, 500));
  const cursor = query.cursor("cursor");
  const { connection, cluster } = openClusterFor(query, access);
  const visibility = access.requireSomeUnder(cluster, prefix, "read");
  const granted = visibility.kind === "some" ? visibility.prefixes : undefined;
  // Only the rows the viewer may read: the archive lists its level whole, so its page is filtered.
  const readable = (page: LevelValuesPage): LevelValuesPage => {
    if (!granted) return page;
    const rowVisible = ({ child }: LevelValuesPage["entries"][number]) =>
      child.isKey
        ? access.mayKey(cluster, child.key, "read")
        : access.under(cluster, concatBytes(child.key, Uint8Array.of(SLASH)), "read").kind !== "none";
    return { ...page, entries: page.entries.filter(rowVisible) };
  };
  const fromEtcd = granted
    ? (page: Parameters<typeof listChildren>[1], onValues: Parameters<typeof readLevelValues>[2]) =>
        readLevelValues(connection, page, onValues, {
          list: (level) =>
            listVisibleLevel((whole) => listChildren(connection, whole), level, granted, {
              anyKeyUnder: (under, at) => anyKeyUnder(connection, under, at),
            }),
          adjacent: inOneVisibleRun(prefix, granted),
        }).then(readable)
    : undefined;
  const page = await readRefusingFuture(connection, { rev: revision }, () =>
    callEtcd(connection, () => readTablePage(connection, { prefix, revision, cursor, limit }, fromEtcd), { revision }),
  ).catch((error: unknown) => {
    // etcd has compacted the revision: the archive answers when it holds it whole.
    if (revision === undefined || !isCompactedRefusal(error)) throw error;
    return readTablePage(connection, { prefix, revision, cursor, limit }, (page, onValues) =>
      readLevelValuesFromArchive(cluster, { ...page, revision }, error, onValues).then(readable),
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
