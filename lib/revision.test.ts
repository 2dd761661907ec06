import { describe, expect, it } from "vitest";
import { readRevisionText, revisionProblem } from "./revision";

describe("readRevisionText", () => {
  it("reads revisions exactly up to 2^53 - 1", () => {
    expect(readRevisionText("1")).toBe(1);
    expect(readRevisionText("9007199254740991")).toBe(9007199254740991);
  });

  it("names none above 2^53 instead of a rounded neighbour", () => {
    expect(readRevisionText("9007199254740993")).toBeUndefined();
    expect(readRevisionText("999999999999999999")).toBeUndefined();
    expect(revisionProblem("999999999999999999")).toBe("a revision is at most 9007199254740991");
  });

  it("names none for text that is not a positive whole number", () => {
    for (const text of [undefined, "", "0", "-3", "064", "1e3", "12abc", " 5"]) expect(readRevisionText(text), String(text)).toBeUndefined();
    expect(revisionProblem("12abc")).toBe("a revision is a positive whole number");
  });
});
