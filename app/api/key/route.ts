// GET /api/key?key=K[&rev=R | &at=T] — one key's metadata and decoded value, at a revision (or the
// last one at or before an RFC 3339 time) or now, with when its modRevision happened (modRevisionTime). At a
// revision etcd has compacted the value comes from the archive; `readFrom` says which answered.
// Access: the read right on the key (a 403 naming the rule that would allow it, whether or not the
// key exists); `revealAllowed` says whether the viewer may reveal its Secret values.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { presentKey } from "@/lib/api/present-key";
import { presentReadFrom } from "@/lib/api/present-archive";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { readKeyReachingBackOrThrow, tryArchiveView, withArchiveUnavailable } from "@/lib/archive/reach-back";
import { readRevisionTimes } from "@/lib/archive/revision-times";
import { openClusterFor } from "@/lib/api/open-cluster";
import type { KeyDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<KeyDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const { connection, cluster } = openClusterFor(query, access);
  access.requireKey(cluster, key, "read");
  const revision = await query.revisionOrTime("rev", "at");
  const { view: archive, unavailable } = await tryArchiveView(cluster);
  const read = await readRefusingFuture(connection, { rev: revision }, () =>
    readKeyReachingBackOrThrow(connection, cluster, key, revision, archive),
  ).catch((error: unknown) => {
    throw withArchiveUnavailable(error, unavailable);
  });
  const times = await readRevisionTimes(cluster, [read.kv.modRevision]);
  return presentKey(
    read.revision,
    read.kv,
    presentReadFrom(read.source, archive, read.notArchived, unavailable),
    access.revealRefusal(cluster, key),
    times.get(read.kv.modRevision),
  );
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
