// GET /api/raw?key=K[&rev=R | &at=T] — the value's exact bytes as a download (application/octet-stream).
// A Secret's bytes only when it cannot be decoded and revealing is allowed: an audited reveal.
// POST: the same query in the body, for keys too long for a URL (see QueryParams.read).
// Access: the read right on the key; the bytes of a Secret that cannot be decoded need reveal.
import { AppError } from "@/lib/errors";
import { readRefusingFuture } from "@/lib/api/future-revision";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { decodeValue, judgeSecret } from "@/lib/decode";
import { explainRefusal } from "@/lib/auth/access-rules";
import { openClusterFor } from "@/lib/api/open-cluster";
import { openArchiveView, readKeyReachingBackOrThrow } from "@/lib/archive/reach-back";
import { recordReveal } from "@/lib/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access) => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const { connection, cluster } = openClusterFor(query, access);
  access.requireKey(cluster, key, "read");
  const revision = await query.revisionOrTime("rev", "at");
  // At a revision etcd has compacted, the archive's copy.
  const archive = revision === undefined ? null : await openArchiveView(cluster);
  const { kv } = await readRefusingFuture(connection, { rev: revision }, () =>
    readKeyReachingBackOrThrow(connection, cluster, key, revision, archive),
  );
  // Raw bytes would reveal every Secret value at once; values are revealed one by one instead. A
  // Secret that cannot be decoded has no single values, so revealing allowed opens its bytes.
  if (judgeSecret(kv.value, kv.key)) {
    const undecodable = decodeValue(kv.value, { key: kv.key }).format === "undecodable-secret";
    if (!undecodable) {
      throw new AppError(
        "forbidden",
        "this value holds Secret data; its raw bytes are never sent (reveal single values where the server allows it)",
      );
    }
    if (!access.mayKey(cluster, key, "reveal")) {
      throw new AppError(
        "forbidden",
        access.enforced
          ? `this value is a Secret that cannot be decoded; its raw bytes need the reveal right: ${explainRefusal(access.viewer, cluster, key, "reveal")}`
          : "this value is a Secret that cannot be decoded; its raw bytes are sent only when the server is started with ETCDLENS_REVEAL_SECRETS=true",
      );
    }
    recordReveal(request, access.viewer, {
      cluster,
      key: kv.key,
      revision: kv.modRevision,
      reason: "the raw bytes of a Secret that cannot be decoded",
    });
  }
  return new Response(new Uint8Array(kv.value), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(kv.value.length),
      "cache-control": "no-store",
      "content-disposition": "attachment; filename=value.bin",
    },
  });
});

export const POST = GET;
