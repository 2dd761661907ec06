import type { ArchiveCoverage } from "@/lib/archive/store";
import type { ArchiveCoverageDto, ReadFromDto } from "./dto";

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

export function presentReadFrom(source: ReadFromDto["source"], archive: { engine: string; coverage: ArchiveCoverage } | null): ReadFromDto {
  return archive ? { source, archive: presentCoverage(archive.engine, archive.coverage) } : { source };
}
