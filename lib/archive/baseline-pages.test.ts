import { describe, expect, it } from "vitest";
import { MAX_PAGE_KEYS, nextPageLimit, PAGE_TARGET_BYTES } from "./baseline-pages";

describe("nextPageLimit", () => {
  it("keeps a page of the largest entries seen near the target size", () => {
    expect(nextPageLimit(4096)).toBe(256);
    expect(nextPageLimit(4096) * 4096).toBeLessThanOrEqual(PAGE_TARGET_BYTES);
  });

  it("asks for one key at a time when a single entry exceeds the target", () => {
    expect(nextPageLimit(1.5 * 1024 * 1024)).toBe(1);
  });

  it("never asks for more than the page cap, even for tiny or empty entries", () => {
    expect(nextPageLimit(10)).toBe(MAX_PAGE_KEYS);
    expect(nextPageLimit(0)).toBe(MAX_PAGE_KEYS);
  });
});
