// GET /api/diff?key=K&from=A&to=B (revisions, or RFC 3339 times) — the key as it was at revisions A and B, decoded, and the
// structural changes from A to B. A side where the key did not exist is empty (kv and value null);
// 404 when it existed at neither. A side etcd has compacted is read from the archive; 410 when
// neither holds it. `readFrom` says which answered. Access: the read right on the key.
import { AppError } from "@/lib/errors";
import { readRefusingFuture } from "@/lib/api/future-revision";
import { presentReadFrom } from "@/lib/api/present-archive";
import { presentDiff } from "@/lib/api/present-diff";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { combinedSource, readKeyReachingBack, tryArchiveView, withArchiveUnavailable } from "@/lib/archive/reach-back";
import { openClusterFor } from "@/lib/api/open-cluster";
import { keyToDisplay } from "@/lib/keys";
import type { DiffDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

async function requiredRevision(query: QueryParams, name: string): Promise<number> {
  // A revision, or an RFC 3339 time standing for the last revision at or before it.
  const revision = await query.revisionOrTimeIn(name);
  if (revision === undefined) throw new AppError("bad_request", `the "${name}" parameter (a revision or a time) is required`);
  return revision;
}

export const GET = apiRoute(async (request, access): Promise<DiffDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const { connection, cluster } = openClusterFor(query, access);
  access.requireKey(cluster, key, "read");
  const from = await requiredRevision(query, "from");
  const to = await requiredRevision(query, "to");
  const { view: archive, unavailable } = await tryArchiveView(cluster);
  const [older, newer] = await readRefusingFuture(connection, { from, to }, () =>
    Promise.all([from, to].map((revision) => readKeyReachingBack(connection, cluster, key, revision, archive))),
  ).catch((error: unknown) => {
    throw withArchiveUnavailable(error, unavailable);
  });
  if (!older.kv && !newer.kv) {
    throw new AppError("not_found", `no key ${keyToDisplay(key)} at revision ${from} or ${to}`, { currentRevision: newer.revision });
  }
  return presentDiff(
    Math.max(older.revision, newer.revision),
    key,
    { revision: from, kv: older.kv },
    { revision: to, kv: newer.kv },
    presentReadFrom(combinedSource([older.source, newer.source]), archive, older.notArchived, unavailable),
  );
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
