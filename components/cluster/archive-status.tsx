import type { ClusterArchiveDto } from "@/lib/api/dto";

// The archive in one line of the cluster overview: whether this replica records the cluster, since
// when the archive has, and in which engine; or why not.

const ENGINE_NAMES: Record<string, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** What the line says after "Archive:". */
export function describeArchive(archive: ClusterArchiveDto): string {
  const { coverage, recorder } = archive;
  const engine = coverage ? ` (${ENGINE_NAMES[coverage.engine] ?? coverage.engine})` : "";
  const since = coverage?.recordingSince ? ` since ${formatTime(coverage.recordingSince)}` : "";
  switch (recorder.state) {
    case "recording":
      return `recording${since}${engine}`;
    case "baseline":
      return `storing every key's value at revision ${recorder.revision} before recording${engine}`;
    case "standby":
      return `standing by: another replica records${since ? `, recorded${since}` : ""}${engine}`;
    case "starting":
      return `starting${engine}`;
    case "failing":
      return `failing: ${recorder.error}`;
    case "off":
      // A replica that only reads (ETCDLENS_ARCHIVE_RECORD=off) still shows what the archive holds.
      return coverage?.recordingSince ? `not recording here; recorded${since}${engine}` : "off";
  }
}

export function ArchiveStatus({ archive }: { archive: ClusterArchiveDto }) {
  const gaps = archive.coverage?.gaps ?? [];
  return (
    <p className={archive.recorder.state === "failing" ? "text-red-800" : "text-slate-600"}>
      <span className="text-slate-500">Archive: </span>
      {describeArchive(archive)}
      {archive.coverage && archive.coverage.firstRevision !== null ? (
        <span className="text-slate-500">
          {" "}
          · revisions {archive.coverage.firstRevision} to {archive.coverage.lastRevision}
          {gaps.length > 0 ? `, not recorded between ${gaps.map((gap) => `${gap.from} and ${gap.to}`).join(", ")}` : ""}
        </span>
      ) : null}
    </p>
  );
}
