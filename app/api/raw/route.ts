// GET /api/raw?key=K[&rev=R] — the value's exact bytes as a download (application/octet-stream).
import { AppError } from "@/lib/errors";
import { revisionParam } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { decodeValue } from "@/lib/decode";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { readKeyAtOrThrow } from "@/lib/etcd/read-key";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request) => {
  const query = new QueryParams(request);
  const key = query.keyOrThrow("key");
  const revision = query.parsed("rev", revisionParam);
  const connection = getCluster(query.clusterName());
  const { kv } = await callEtcd(connection, () => readKeyAtOrThrow(connection, key, revision), { revision });
  // Raw bytes would reveal every Secret value at once; values are revealed one by one instead.
  const decoded = decodeValue(kv.value);
  if (decoded.format === "kubernetes" && decoded.masked.length > 0) {
    throw new AppError("forbidden", "this value holds Secret data; its raw bytes are never sent (reveal single values where the server allows it)");
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
