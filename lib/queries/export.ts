import { encodeKeyParam } from "@/lib/keys";
import { withCluster, type ClusterName } from "./cluster";

// The download URLs of GET /api/export: a folder (prefix) or one key, at a revision, in one format.

export type ExportFormat = "yaml" | "jsonl" | "tar";

export const EXPORT_FORMATS: { format: ExportFormat; label: string; extension: string }[] = [
  { format: "yaml", label: "YAML", extension: "yaml" },
  { format: "jsonl", label: "JSON lines", extension: "jsonl" },
  { format: "tar", label: "tar", extension: "tar" },
];

export function exportUrl(
  cluster: ClusterName,
  scope: { prefix: Uint8Array } | { key: Uint8Array },
  format: ExportFormat,
  revision?: number,
): string {
  const parts = ["key" in scope ? `key=${encodeKeyParam(scope.key)}` : `prefix=${encodeKeyParam(scope.prefix)}`, `format=${format}`];
  if (revision !== undefined) parts.push(`rev=${revision}`);
  return withCluster(`/api/export?${parts.join("&")}`, cluster);
}
