// GET /api/key?key=K[&rev=R] — one key's metadata and decoded value, at a revision or now.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { presentKey } from "@/lib/api/present-key";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { readKeyAtOrThrow } from "@/lib/etcd/read-key";
import type { KeyDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request): Promise<KeyDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const revision = query.revision("rev");
  const connection = getCluster(query.clusterName());
  const read = await readRefusingFuture(connection, { rev: revision }, () =>
    callEtcd(connection, () => readKeyAtOrThrow(connection, key, revision), { revision }),
  );
  return presentKey(read.header.revision, read.kv);
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
