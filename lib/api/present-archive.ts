import type { ArchiveCoverage, RevisionTime } from "@/lib/archive/store";
import type { ArchiveCoverageDto, ReadFromDto, RevisionTimeDto } from "./dto";

// How every view names the archive: the engine, since when it has recorded the cluster, and which
// revisions it holds. Shared so that the history, value, diff, tree and feed say it the same way.

export function presentCoverage(engine: string, coverage: ArchiveCoverage): ArchiveCoverageDto {
  return {
    engine,
    recordingSince: coverage.recordingSince === null ? null : new Date(coverage.recordingSince).toISOString(),
    firstRevision: coverage.firstRevision,
    lastRevision: coverage.lastRevision,
    gaps: coverage.gaps.map(({ from, to }) => ({ from, to })),
  };
}

/**
 * `notArchived`: why the archive leaves the view's key out, when it does (KeyAt and the history
 * page carry it); `archiveUnavailable`: why the archive, though on, could not be read for it.
 */
export function presentReadFrom(
  source: ReadFromDto["source"],
  archive: { engine: string; coverage: ArchiveCoverage } | null,
  notArchived?: string | null,
  archiveUnavailable?: string,
): ReadFromDto {
  const readFrom: ReadFromDto = archive ? { source, archive: presentCoverage(archive.engine, archive.coverage) } : { source };
  if (notArchived) readFrom.notArchived = notArchived;
  if (archiveUnavailable) readFrom.archiveUnavailable = archiveUnavailable;
  return readFrom;
}

/** A revision's time on the wire: RFC 3339 with milliseconds, and whether it is an estimate; nothing when unknown. */
export function presentRevisionTime(time: RevisionTime | undefined): RevisionTimeDto {
  return time ? { time: new Date(time.time).toISOString(), timeEstimated: time.estimated } : {};
}
