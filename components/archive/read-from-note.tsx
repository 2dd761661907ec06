import type { ReadFromDto } from "@/lib/api/dto";

// One short line saying that a view read past etcd's compaction: from the archive (or from etcd
// and the archive), and since when the archive has recorded the cluster; or that the archive
// leaves the key out, or that it could not be read this time. Nothing when etcd alone answered
// with the archive off: that is the view as it always was.

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The line's text, or null when etcd alone answered as it always did. */
export function describeReadFrom(readFrom: ReadFromDto | undefined): string | null {
  // A key the archive leaves out has etcd's few retained versions only: say so, not nothing.
  if (readFrom?.notArchived) return `from etcd only · not archived: ${readFrom.notArchived}`;
  // A history that stops at etcd's compaction because the archive is down must not look complete.
  if (readFrom?.archiveUnavailable) return `from etcd only · ${readFrom.archiveUnavailable}`;
  if (!readFrom || readFrom.source === "etcd") return null;
  const where = readFrom.source === "archive" ? "from the archive" : "from etcd and the archive";
  const since = readFrom.archive?.recordingSince ? ` · recorded since ${formatTime(readFrom.archive.recordingSince)}` : "";
  return `${where}${since}`;
}

/** Where several pages of one view read from, as one: etcd, the archive, or both. */
export function combineReadFrom(parts: readonly ReadFromDto[]): ReadFromDto | undefined {
  if (parts.length === 0) return undefined;
  const sources = new Set(parts.map((part) => part.source));
  const source = sources.size === 1 ? parts[0].source : sources.has("etcd") || sources.has("etcd+archive") ? "etcd+archive" : "archive";
  const archive = parts.findLast((part) => part.archive)?.archive;
  const notArchived = parts.find((part) => part.notArchived)?.notArchived;
  const archiveUnavailable = parts.findLast((part) => part.archiveUnavailable)?.archiveUnavailable;
  return {
    source,
    ...(archive ? { archive } : {}),
    ...(notArchived ? { notArchived } : {}),
    ...(archiveUnavailable ? { archiveUnavailable } : {}),
  };
}

export function ReadFromNote({ readFrom, className = "" }: { readFrom: ReadFromDto | undefined; className?: string }) {
  const text = describeReadFrom(readFrom);
  if (!text) return null;
  return (
    <p className={`text-[11px] text-slate-500 ${className}`} data-testid="read-from">
      <span aria-hidden="true">⟲ </span>
      {text}
    </p>
  );
}
