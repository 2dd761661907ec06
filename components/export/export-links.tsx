"use client";

import { DownloadLink } from "@/components/value-view/download-link";
import { useClusterName } from "@/components/cluster/cluster-scope";
import { EXPORT_FORMATS, exportUrl } from "@/lib/queries/export";

// "Export YAML / JSON lines / tar" for a folder or a key, at the revision shown (the current one
// when none is: the export pins it when it starts and names it in the file name). A download
// cannot report a percentage; for a folder the page's own count says how many keys it will hold.

export function ExportLinks({
  scope,
  revision,
  total,
}: {
  scope: { prefix: Uint8Array } | { key: Uint8Array };
  revision?: number;
  total?: number;
}) {
  const cluster = useClusterName();
  const name = "key" in scope ? "this key" : "this folder";
  return (
    <span role="group" aria-label={`Export ${name}`} className="inline-flex items-center gap-1 text-sm text-slate-600">
      Export
      {EXPORT_FORMATS.map(({ format, label }, index) => (
        <span key={format}>
          {index > 0 ? "/ " : null}
          <DownloadLink url={exportUrl(cluster, scope, format, revision)}>{label}</DownloadLink>
        </span>
      ))}
      {total !== undefined ? <span className="text-xs text-slate-500">({total.toLocaleString()} keys)</span> : null}
    </span>
  );
}
