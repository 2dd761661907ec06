import { describe, expect, it } from "vitest";
import { answersProgressInOrder } from "./progress-ordering";

describe("answersProgressInOrder", () => {
  it.each([
    ["3.4.23", false],
    ["3.4.24", true],
    ["3.4.37", true],
    ["3.5.7", false],
    ["3.5.8", true],
    ["3.5.21", true],
    ["3.6.0", true],
    ["3.7.1", true],
    ["4.0.0", true],
    ["3.3.27", false],
    ["3.2.32", false],
    ["2.3.8", false],
    ["", false],
    ["not a version", false],
    ["3.5", false],
  ])("%s -> %s", (version, ordered) => {
    expect(answersProgressInOrder(version)).toBe(ordered);
  });
});
