// GET /api/diff?key=K&from=A&to=B — the key as it was at revisions A and B, decoded, and the
// structural changes from A to B. A side where the key did not exist is empty (kv and value null);
// 404 when it existed at neither, 410 when a revision was compacted.
import { AppError } from "@/lib/errors";
import { readRefusingFuture } from "@/lib/api/future-revision";
import { presentDiff } from "@/lib/api/present-diff";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { getCluster } from "@/lib/etcd/client";
import { range } from "@/lib/etcd/kv";
import { keyToDisplay } from "@/lib/keys";
import type { DiffDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

function requiredRevision(query: QueryParams, name: string): number {
  const revision = query.revision(name);
  if (revision === undefined) throw new AppError("bad_request", `the "${name}" parameter (a revision) is required`);
  return revision;
}

export const GET = apiRoute(async (request): Promise<DiffDto> => {
  const query = await QueryParams.read(request);
  const key = query.keyOrThrow("key");
  const from = requiredRevision(query, "from");
  const to = requiredRevision(query, "to");
  const connection = getCluster(query.clusterName());
  const [older, newer] = await readRefusingFuture(connection, { from, to }, () =>
    Promise.all([from, to].map((revision) => callEtcd(connection, () => range(connection, { key, revision }), { revision }))),
  );
  const oldKv = older.kvs[0];
  const newKv = newer.kvs[0];
  if (!oldKv && !newKv) {
    throw new AppError("not_found", `no key ${keyToDisplay(key)} at revision ${from} or ${to}`, { currentRevision: newer.header.revision });
  }
  return presentDiff(
    Math.max(older.header.revision, newer.header.revision),
    key,
    { revision: from, kv: oldKv },
    { revision: to, kv: newKv },
  );
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
