import "server-only";
import type { Alarm, EndpointStatus } from "@/lib/etcd/cluster-types";
import type { BusiestWriters } from "@/lib/etcd/busiest-writers";
import { computeMemberFigures, describeReclaim } from "@/lib/insights/etcd-figures";
import { OTHER_FOLDERS, type GrowthRange } from "@/lib/insights/growth";
import { OTHER_LABELS, type WriterRank } from "@/lib/insights/writer-counts";
import { folderBytesOf, type WriteGrowth } from "@/lib/archive/write-growth";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { InsightsEtcdDto, InsightsGrowthDto, InsightsMemberDto, InsightsWritersDto } from "./dto";

// The one place the Insights page's answers are built: etcd's figures, the busiest writers and growth.

export function presentInsightsEtcd(
  endpoints: EndpointStatus[],
  alarms: Alarm[],
  quota: { bytes: number; fromConfig: boolean },
): InsightsEtcdDto {
  const members = endpoints.map((endpoint): InsightsMemberDto => {
    if (!endpoint.ok || endpoint.dbSize === undefined) return endpoint;
    const figures = computeMemberFigures(
      {
        dbSize: endpoint.dbSize,
        dbSizeInUse: endpoint.dbSizeInUse ?? 0,
        raftIndex: endpoint.raftIndex ?? 0,
        raftAppliedIndex: endpoint.raftAppliedIndex ?? 0,
      },
      quota.bytes,
    );
    return { ...endpoint, ...figures, reclaim: describeReclaim(figures.reclaimableBytes) };
  });
  return { members, alarms, quotaBytes: quota.bytes, quotaSource: quota.fromConfig ? "config" : "default" };
}

/**
 * `seesAll(prefix)`: whether the viewer may list every key under a prefix. A prefix seen in part is
 * left out (its count would tell of keys they may not see), and so are the Kubernetes figures
 * unless every prefix they came from is seen whole.
 */
export function presentWriters(report: BusiestWriters, seesAll: (prefix: string) => boolean): InsightsWritersDto {
  const prefixes = report.top.prefix.filter((rank) => (rank.label === OTHER_LABELS ? seesAll("") : seesAll(rank.label)));
  const kubernetesVisible = report.kubernetesPrefixes.every((prefix) => seesAll(prefix));
  return {
    sinceMs: report.sinceMs,
    minutes: report.minutes,
    totalWrites: seesAll("") ? report.totalWrites : prefixes.reduce((sum, rank) => sum + rank.writes, 0),
    prefixes: prefixes.map(presentRank),
    kubernetes: kubernetesVisible
      ? {
          kinds: report.top.kind.map(presentRank),
          namespaces: report.top.namespace.map(presentRank),
          managers: report.top.manager.map(presentRank),
        }
      : null,
    hiddenPrefixes: report.top.prefix.length - prefixes.length,
  };
}

function presentRank(rank: WriterRank): { label: string; writes: number; writesPerMinute: number } {
  return { label: rank.label, writes: rank.writes, writesPerMinute: Math.round(rank.writesPerMinute * 100) / 100 };
}

export function presentGrowth(prefix: Uint8Array, range: GrowthRange, growth: WriteGrowth | null): InsightsGrowthDto {
  if (!growth) {
    return {
      archive: "off",
      message:
        "The archive is off (ETCDLENS_ARCHIVE=off), so there is no history to chart; start the server without it (the archive is on by default, in SQLite under ETCDLENS_DATA_DIR, or PostgreSQL with ETCDLENS_ARCHIVE_URL).",
    };
  }
  return {
    archive: "on",
    range,
    prefix: keyToDisplay(prefix),
    bucketMs: growth.window.bucketMs,
    bucketStarts: growth.window.bucketStarts,
    series: growth.series.map((line) => {
      const folder = line.folder === OTHER_FOLDERS ? null : folderBytesOf(line.folder);
      return {
        folder: folder ? keyToDisplay(folder) : OTHER_FOLDERS,
        folderBase64: folder ? bytesToBase64(folder) : "",
        writesPerMinute: line.writesPerMinute.map((rate) => Math.round(rate * 1000) / 1000),
        bytes: line.bytes,
        totalWrites: line.totalWrites,
        totalBytes: line.totalBytes,
      };
    }),
    hiddenFolders: growth.hiddenFolders,
    truncated: growth.truncated,
  };
}
