import type { ArchiveCoverage, ArchiveGap, ArchivedVersion } from "./store";

// Whether the archive knows a key's state at a revision, from the version versionAt found there.
// The archive holds every event of the revisions it recorded whole (from its first revision on,
// except inside gaps) and, at each baseline, the value every key had then. A version stays the
// key's value until the key's next event; so it is known to still be the value at `revision` when
// no unrecorded revisions lie between it and `revision`, or, for a version seen in a baseline, when
// it lasted at least until that baseline. A key absent from the archive at `revision` is known to
// be absent only after a baseline (it was not among the keys then) with no gap since.

export type HeldState = { held: true; version: ArchivedVersion | null } | { held: false; gap?: ArchiveGap };

/** The gap that holds revisions after `after` up to `through`, if any. */
function gapBetween(coverage: ArchiveCoverage, after: number, through: number): ArchiveGap | undefined {
  return coverage.gaps.find((gap) => gap.from <= through && gap.to > after);
}

export function judgeHeldState(coverage: ArchiveCoverage, version: ArchivedVersion | null, revision: number): HeldState {
  if (coverage.firstRevision === null || revision > coverage.lastRevision) return { held: false };
  if (version) {
    // A baseline version was the value until the first baseline at or after it, whatever was not recorded before.
    const baseline = version.fromBaseline ? coverage.baselines.find((at) => at >= version.revision) : undefined;
    const knownThrough = baseline !== undefined ? Math.max(baseline, version.revision) : version.revision;
    if (revision <= knownThrough) return { held: true, version };
    const gap = gapBetween(coverage, knownThrough, revision);
    return gap ? { held: false, gap } : { held: true, version };
  }
  const baseline = coverage.baselines.filter((at) => at <= revision).at(-1);
  if (baseline === undefined) return { held: false };
  const gap = gapBetween(coverage, baseline, revision);
  return gap ? { held: false, gap } : { held: true, version: null };
}

/** The oldest revision the archive can answer for, or null when it holds none. */
export function oldestArchivedRevision(coverage: ArchiveCoverage): number | null {
  if (coverage.firstRevision === null) return null;
  return Math.min(coverage.firstRevision, ...coverage.baselines);
}
