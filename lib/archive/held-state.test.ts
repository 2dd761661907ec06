import { describe, expect, it } from "vitest";
import { judgeHeldState, oldestArchivedRevision } from "./held-state";
import type { ArchiveCoverage, ArchivedVersion } from "./store";

// When the archive may answer for a key at a revision: recorded events hold until the next
// unrecorded revisions; a baseline's version at least until its baseline; absence only after a baseline.

const coverage: ArchiveCoverage = {
  firstRevision: 10,
  lastRevision: 100,
  recordingSince: 0,
  // First start at 20 (history from 10), a gap 41..59 while stopped, a fresh baseline at 62.
  baselines: [20, 62],
  gaps: [{ from: 41, to: 59, recordedAt: 0 }],
};

const version = (revision: number, fromBaseline = false): ArchivedVersion => ({
  type: "PUT",
  key: Buffer.from("/k"),
  revision,
  createRevision: revision,
  version: 1,
  lease: "0",
  value: Buffer.from("v"),
  arrivedAt: null,
  fromBaseline,
});

describe("judgeHeldState", () => {
  it("holds a recorded version until the archive's first unrecorded revision after it", () => {
    expect(judgeHeldState(coverage, version(30), 40)).toEqual({ held: true, version: version(30) });
    expect(judgeHeldState(coverage, version(30), 41)).toMatchObject({ held: false, gap: { from: 41, to: 59 } });
    expect(judgeHeldState(coverage, version(30), 80)).toMatchObject({ held: false });
    expect(judgeHeldState(coverage, version(70), 100)).toMatchObject({ held: true });
  });

  it("holds a baseline's version through its baseline, whatever was not recorded before", () => {
    expect(judgeHeldState(coverage, version(45, true), 45)).toMatchObject({ held: true });
    expect(judgeHeldState(coverage, version(45, true), 80)).toMatchObject({ held: true });
    // Seen at the first baseline, older than anything recorded: its own revision is answerable.
    expect(judgeHeldState(coverage, version(3, true), 3)).toMatchObject({ held: true });
    expect(judgeHeldState(coverage, version(3, true), 50)).toMatchObject({ held: false, gap: { from: 41 } });
  });

  it("knows a key absent only after a baseline with nothing unrecorded since", () => {
    expect(judgeHeldState(coverage, null, 15)).toEqual({ held: false });
    expect(judgeHeldState(coverage, null, 30)).toEqual({ held: true, version: null });
    expect(judgeHeldState(coverage, null, 50)).toMatchObject({ held: false, gap: { from: 41 } });
    expect(judgeHeldState(coverage, null, 62)).toEqual({ held: true, version: null });
  });

  it("holds nothing past the last revision recorded, nor before anything is", () => {
    expect(judgeHeldState(coverage, version(70), 101)).toEqual({ held: false });
    expect(judgeHeldState({ ...coverage, firstRevision: null, lastRevision: 0 }, null, 5)).toEqual({ held: false });
  });

  it("names the oldest revision the archive answers for", () => {
    expect(oldestArchivedRevision(coverage)).toBe(10);
    expect(oldestArchivedRevision({ ...coverage, firstRevision: 25 })).toBe(20);
    expect(oldestArchivedRevision({ ...coverage, firstRevision: null })).toBeNull();
  });
});
