import { describe, expect, it } from "vitest";
import { RunningTotals } from "./running-totals";

describe("RunningTotals", () => {
  it("adds what each source gained since it was last seen, and keeps it after the source is gone", () => {
    const totals = new RunningTotals<string>();
    const first = {};
    const second = {};
    totals.include("main");
    totals.include("other");
    expect(totals.entries()).toEqual([
      ["main", 0],
      ["other", 0],
    ]);
    totals.record("main", first, 2);
    totals.record("main", first, 3);
    // The first watch stopped (it reports no more); a new one has reconnected once.
    totals.record("main", second, 1);
    totals.record("main", second, 1);
    expect(totals.entries()).toEqual([
      ["main", 4],
      ["other", 0],
    ]);
  });

  it("never goes down, even for a source whose count went back", () => {
    const totals = new RunningTotals<string>();
    const source = {};
    totals.record("main", source, 5);
    totals.record("main", source, 2);
    expect(totals.entries()).toEqual([["main", 5]]);
    totals.record("main", source, 4);
    expect(totals.entries()).toEqual([["main", 7]]);
  });
});
