// GET /api/compare?left=CLUSTER[@REV]&right=CLUSTER[@REV]&prefix=P[&cursor=C][&limit=N] — the keys under P
// only on the left, only on the right, and changed between them, one page at a time
// {"left","right","onlyLeft","onlyRight","changed","counts","folders","next"}: two clusters, or two
// revisions of one. Each side is pinned to its revision (REV, else its current one) on the first
// page, and `next` (passed back as `cursor`) goes on at the same two revisions. A page closes at N
// differences (default 200, at most 1000) or after 20,000 keys walked. Keys whose values differ in
// bytes but whose structural diff is all noise are counted as sameAfterNoise, not listed.
// "@" before digits at the end separates the revision; a cluster named "db@2" is written "db@2@".
// Access: the read right on something under P in each cluster; only keys the viewer may read on
// both sides are walked. No values are sent; Secret values never enter the answer.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentComparePage } from "@/lib/api/present-compare";
import { apiRoute, QueryParams } from "@/lib/api/route";
import type { RequestAccess } from "@/lib/auth/request-access";
import { compareSides } from "@/lib/compare/compare";
import { decodeCompareCursor } from "@/lib/compare/cursor";
import { parseCompareSide } from "@/lib/compare/side";
import { getCluster, getClusterName } from "@/lib/etcd/client";
import { AppError } from "@/lib/errors";
import { pinSearch, visibleRanges } from "@/lib/search/scan-values";

export const dynamic = "force-dynamic";

const MAX_KEYS_PER_PAGE = 20_000;

async function openSide(query: QueryParams, access: RequestAccess, name: "left" | "right", prefix: Uint8Array, pinned?: number) {
  const text = query.text(name);
  if (text === undefined) throw new AppError("bad_request", `"${name}" names a cluster, optionally with @revision`);
  const parsed = parseCompareSide(text);
  if (!parsed.ok) throw new AppError("bad_request", `"${name}" ${parsed.message}`);
  access.requireCluster(parsed.side.cluster);
  const cluster = getClusterName(parsed.side.cluster);
  const connection = getCluster(cluster);
  const visibility = access.requireSomeUnder(cluster, prefix, "read");
  const ranges = visibleRanges(prefix, visibility.kind === "some" ? visibility.prefixes : undefined);
  if (pinned !== undefined && parsed.side.revision !== undefined && parsed.side.revision !== pinned) {
    throw new AppError("bad_request", `the cursor continues a comparison at ${name} revision ${pinned}, not ${parsed.side.revision}`);
  }
  const asked = pinned ?? parsed.side.revision;
  const { revision } = await readRefusingFuture(connection, { [name]: asked }, () =>
    pinSearch(connection, { prefix, ranges, revision: asked }),
  );
  return { cluster, connection, ranges, revision };
}

export const GET = apiRoute(async (request, access) => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const cursorText = query.text("cursor");
  const cursor = cursorText ? decodeCompareCursor(cursorText) : undefined;
  if (cursorText && !cursor) throw new AppError("bad_request", `"cursor" is not a cursor this comparison handed out`);
  if (cursor && Buffer.compare(cursor.from, prefix) < 0)
    throw new AppError("bad_request", `"cursor" does not belong to a comparison of this prefix`);
  const limit = query.parsed("limit", limitParam(200, 1000));
  const left = await openSide(query, access, "left", prefix, cursor?.left);
  const right = await openSide(query, access, "right", prefix, cursor?.right);
  // A key is walked only where the viewer may read it on both sides.
  const rightRead = (key: Uint8Array) => access.mayKey(right.cluster, key, "read");
  const leftRead = (key: Uint8Array) => access.mayKey(left.cluster, key, "read");
  const page = await compareSides(prefix, left, right, {
    from: cursor?.from,
    limit,
    maxKeys: MAX_KEYS_PER_PAGE,
    signal: request.signal,
    visible: (key) => leftRead(key) && rightRead(key),
  });
  return presentComparePage(page, { cluster: left.cluster, revision: left.revision }, { cluster: right.cluster, revision: right.revision });
});

export const POST = GET;
