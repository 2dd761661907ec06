import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { structuredPatch } from "diff";
import { buildHunks, type Hunk } from "./hunks";
import { diffText } from "./text";

const hunksOf = (items: ReturnType<typeof buildHunks>): Hunk[] => items.flatMap((item) => ("hunk" in item ? [item.hunk] : []));
// Indented, so that no line is a section heading.
const numbered = (count: number, change?: Record<number, string>) =>
  Array.from({ length: count }, (_, i) => `  ${change?.[i + 1] ?? `line ${i + 1}`}`).join("\n") + "\n";

describe("buildHunks", () => {
  it("writes git's header for a change in the middle: three lines of context each side", () => {
    const items = buildHunks(diffText(numbered(20), numbered(20, { 10: "line ten" })));
    expect(items.map((item) => ("gap" in item ? `gap ${item.gap.from}+${item.gap.count}` : item.hunk.header))).toEqual([
      "gap 0+6",
      "@@ -7,7 +7,7 @@",
      "gap 14+7",
    ]);
    const hunk = hunksOf(items)[0];
    expect(hunk.lines.map((line) => line.kind)).toEqual(["same", "same", "same", "removed", "added", "same", "same", "same"]);
  });

  it("leaves out the count of a one-line range and starts an empty range at the line before it, as GNU diff does", () => {
    expect(hunksOf(buildHunks(diffText(" a\n", " b\n")))[0].header).toBe("@@ -1 +1 @@");
    expect(hunksOf(buildHunks(diffText("", " x\n y\n")))[0].header).toBe("@@ -0,0 +1,2 @@");
    expect(hunksOf(buildHunks(diffText(" a\n b\n c\n", " a\n c\n"), new Set(), 0))[0].header).toBe("@@ -2 +1,0 @@");
  });

  it("names the top-level YAML key the change sits under, as git's section heading", () => {
    const old = "kind: Deployment\nspec:\n  replicas: 2\n  paused: false\n  selector: {}\n  strategy: {}\n  template: {}\n";
    const next = old.replace("  template: {}", "  template: {a: 1}");
    expect(hunksOf(buildHunks(diffText(old, next)))[0].header).toBe("@@ -4,4 +4,4 @@ spec:");
  });

  it("joins the hunks on either side of a gap the reader opens, and keeps the other gaps' names", () => {
    const lines = diffText(numbered(40), numbered(40, { 5: "five", 20: "twenty", 35: "thirty-five" }));
    const closed = buildHunks(lines);
    const gaps = closed.flatMap((item) => ("gap" in item ? [item.gap] : []));
    // Each changed line is a removed and an added line: the diff has 43 lines, the first and last
    // gaps are 1 and 2 lines long.
    expect(gaps).toEqual([
      { from: 0, count: 1 },
      { from: 9, count: 8 },
      { from: 25, count: 8 },
      { from: 41, count: 2 },
    ]);
    const opened = buildHunks(lines, new Set([9]));
    expect(opened.flatMap((item) => ("gap" in item ? [item.gap.from] : []))).toEqual([0, 25, 41]);
    expect(hunksOf(opened).map((hunk) => hunk.header)).toEqual(["@@ -2,22 +2,22 @@", "@@ -32,7 +32,7 @@"]);
  });

  it("has no hunk when nothing changed", () => {
    expect(buildHunks(diffText("same\n", "same\n"))).toEqual([]);
  });

  it("agrees with jsdiff's structuredPatch on every hunk's ranges", () => {
    // jsdiff starts an empty range at the line after it; GNU diff and git at the line before.
    const gnuStart = (start: number, count: number) => (count === 0 ? start - 1 : start);
    const text = fc
      .array(fc.constantFrom("a", "b", "c", "d", "e", ""), { maxLength: 30 })
      .map((lines) => lines.map((line) => `${line}\n`).join(""));
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (old, next, context) => {
        const ours = hunksOf(buildHunks(diffText(old, next), new Set(), context)).map((h) => [
          h.oldStart,
          h.oldCount,
          h.newStart,
          h.newCount,
        ]);
        const theirs = structuredPatch("old", "new", old, next, "", "", { context }).hunks.map((h) => [
          gnuStart(h.oldStart, h.oldLines),
          h.oldLines,
          gnuStart(h.newStart, h.newLines),
          h.newLines,
        ]);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });
});
