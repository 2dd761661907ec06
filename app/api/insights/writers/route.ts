// GET /api/insights/writers[?cluster=][&top=N] — the busiest writers over the last 10 minutes, from
// the cluster's live watch feed: writes per minute by top-level prefix and, for Kubernetes objects,
// by kind, namespace and manager (the managedFields entry with the latest time). Counting starts
// with the first request and stops 15 minutes after the last, so the first answer counts nothing yet.
// Access: a rule for the cluster; a prefix is listed only when the viewer may list all of it, and
// the Kubernetes figures only when they may list all of every prefix they came from.
import { apiRoute, QueryParams } from "@/lib/api/route";
import { limitParam } from "@/lib/api/params";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { readBusiestWriters } from "@/lib/etcd/busiest-writers";
import { presentWriters } from "@/lib/api/present-insights";
import { bytesFromText } from "@/lib/keys";
import type { InsightsWritersDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<InsightsWritersDto> => {
  const query = new QueryParams(request);
  const top = query.parsed("top", limitParam(10, 50));
  const { connection, cluster } = openClusterFor(query, access);
  const report = await callEtcd(connection, () => readBusiestWriters(connection, top));
  return presentWriters(report, (prefix) => access.under(cluster, bytesFromText(prefix), "list").kind === "all");
});
