// GET /api/insights/growth[?cluster=][&prefix=P][&range=24h|7d] — writes per minute and bytes the
// archive stored per folder under P (the next name after P up to its "/"), in 5-minute buckets over
// 24 h or hourly over 7 d, from the revisions the archive recorded live; the 8 busiest folders and
// the rest summed. Without the archive: {"archive":"off","message"} saying how to turn it on.
// Access: the list right on something under P (else a 403); a folder is charted only when the
// viewer may list all of it.
import { z } from "zod";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { openClusterFor } from "@/lib/api/open-cluster";
import { readWriteGrowth } from "@/lib/archive/write-growth";
import { presentGrowth } from "@/lib/api/present-insights";
import type { InsightsGrowthDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<InsightsGrowthDto> => {
  const query = new QueryParams(request);
  const prefix = query.keyOrEmpty("prefix");
  const range = query.parsed("range", z.enum(["24h", "7d"], { message: 'is "24h" or "7d"' }).optional().default("24h"));
  const { cluster } = openClusterFor(query, access);
  access.requireSomeUnder(cluster, prefix, "list");
  const growth = await readWriteGrowth(cluster, prefix, range, (folder) => access.under(cluster, folder, "list").kind === "all");
  return presentGrowth(prefix, range, growth);
});
