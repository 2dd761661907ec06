import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { findLineStarts, findMatches, lineAt } from "./search";

describe("findMatches", () => {
  it("finds every occurrence, ignoring case, with the text's own offsets", () => {
    expect(findMatches("SKU-1 sku-2 Sku-3", "sku")).toEqual({ offsets: [0, 6, 12], total: 3 });
  });

  it("matches the query literally: characters a regular expression would treat as syntax are themselves", () => {
    expect(findMatches("a.b axb [x] (y)", ".").offsets).toEqual([1]);
    expect(findMatches("a.b axb [x] (y)", "[x]").offsets).toEqual([8]);
    expect(findMatches("a.b axb [x] (y)", "(y)").offsets).toEqual([12]);
    expect(findMatches("cost $5^2 \\d", "\\d").offsets).toEqual([10]);
  });

  it("keeps at most `limit` positions but counts every match", () => {
    const found = findMatches("ab".repeat(10), "b", 4);
    expect(found.offsets).toEqual([1, 3, 5, 7]);
    expect(found.total).toBe(10);
  });

  it("finds nothing for an empty query", () => {
    expect(findMatches("text", "")).toEqual({ offsets: [], total: 0 });
  });

  it("finds the same places as a scan with indexOf over the lower-cased text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "A", "b", ".", "*", "\n") }),
        fc.string({ unit: fc.constantFrom("a", "A", "b", ".", "*"), minLength: 1, maxLength: 3 }),
        (text, query) => {
          const expected: number[] = [];
          const haystack = text.toLowerCase();
          const needle = query.toLowerCase();
          for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) expected.push(at);
          expect(findMatches(text, query).offsets).toEqual(expected);
        },
      ),
    );
  });
});

describe("findLineStarts and lineAt", () => {
  it("map an offset to its line", () => {
    const text = "first\nsecond\n\nfourth";
    const starts = findLineStarts(text);
    expect(starts).toEqual([0, 6, 13, 14]);
    expect([0, 5, 6, 12, 13, 14, 19].map((offset) => lineAt(starts, offset))).toEqual([0, 0, 1, 1, 2, 3, 3]);
  });

  it("agree with counting the newlines before the offset", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("x", "\n") }), fc.nat(), (text, seed) => {
        const offset = text.length === 0 ? 0 : seed % text.length;
        expect(lineAt(findLineStarts(text), offset)).toBe(text.slice(0, offset).split("\n").length - 1);
      }),
    );
  });
});
