import { queryOptions } from "@tanstack/react-query";
import type { InsightsEtcdDto, InsightsGrowthDto, InsightsWritersDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { clusterKey, type ClusterName } from "./cluster";
import { apiUrl } from "./index";
import { fetchJson } from "./fetch-json";

// The Insights page's queries: etcd's figures, the busiest writers (polled while the page is open,
// which is what keeps the server counting) and growth from the archive (the server keeps it a minute).

export const insightsQueries = {
  etcd: (cluster: ClusterName) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "insights", "etcd"],
      queryFn: ({ signal }) => fetchJson<InsightsEtcdDto>(apiUrl(cluster, "/api/insights/etcd"), signal),
      refetchInterval: 10_000,
    }),
  writers: (cluster: ClusterName) =>
    queryOptions({
      queryKey: [clusterKey(cluster), "insights", "writers"],
      queryFn: ({ signal }) => fetchJson<InsightsWritersDto>(apiUrl(cluster, "/api/insights/writers"), signal),
      refetchInterval: 5_000,
    }),
  growth: (cluster: ClusterName, prefix: Uint8Array, range: "24h" | "7d") =>
    queryOptions({
      queryKey: [clusterKey(cluster), "insights", "growth", encodeKeyParam(prefix), range],
      queryFn: ({ signal }) =>
        fetchJson<InsightsGrowthDto>(apiUrl(cluster, "/api/insights/growth", { prefix: encodeKeyParam(prefix), range }), signal),
      refetchInterval: 60_000,
    }),
};
