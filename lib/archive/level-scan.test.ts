import { describe, expect, it } from "vitest";
import { levelReadableAt } from "./level-scan";
import type { ArchiveCoverage } from "./store";

const coverage = (extra: Partial<ArchiveCoverage>): ArchiveCoverage => ({
  firstRevision: 5,
  lastRevision: 100,
  recordingSince: 0,
  baselines: [10],
  gaps: [],
  ...extra,
});

describe("levelReadableAt", () => {
  it("lists from the first baseline to the last recorded revision, not before, not after", () => {
    expect(levelReadableAt(coverage({}), 10)).toEqual({ readable: true, oldest: 10 });
    expect(levelReadableAt(coverage({}), 100)).toEqual({ readable: true, oldest: 10 });
    // etcd's retained history before the baseline lacks keys last written before its compaction.
    expect(levelReadableAt(coverage({}), 9)).toEqual({ readable: false, oldest: 10 });
    expect(levelReadableAt(coverage({}), 101)).toEqual({ readable: false, oldest: 10 });
    expect(levelReadableAt(coverage({ baselines: [] }), 50)).toEqual({ readable: false, oldest: null });
  });

  it("refuses a gap and what follows it until the fresh baseline after it", () => {
    const gapped = coverage({ baselines: [10, 60], gaps: [{ from: 40, to: 55, recordedAt: 0 }] });
    expect(levelReadableAt(gapped, 39).readable).toBe(true);
    expect(levelReadableAt(gapped, 40).readable).toBe(false);
    expect(levelReadableAt(gapped, 59).readable).toBe(false);
    expect(levelReadableAt(gapped, 60).readable).toBe(true);
  });

  it("lists from the retention's cut, which holds every key's value at it like a baseline", () => {
    const pruned = coverage({ firstRevision: 50, baselines: [], pruned: { before: 50, at: 0 } });
    expect(levelReadableAt(pruned, 49)).toEqual({ readable: false, oldest: 50 });
    expect(levelReadableAt(pruned, 50)).toEqual({ readable: true, oldest: 50 });
  });
});
