import { describe, expect, it } from "vitest";
import { parseRetention, planKeyPrune, sizeBoundary } from "./retention";

describe("parseRetention", () => {
  it("reads an age, a size, or both", () => {
    expect(parseRetention("14d")).toEqual({ maxAgeMs: 14 * 86_400_000 });
    expect(parseRetention("36h")).toEqual({ maxAgeMs: 36 * 3_600_000 });
    expect(parseRetention("90m")).toEqual({ maxAgeMs: 90 * 60_000 });
    expect(parseRetention("2w")).toEqual({ maxAgeMs: 14 * 86_400_000 });
    expect(parseRetention("20GB")).toEqual({ maxBytes: 20e9 });
    expect(parseRetention("500MB")).toEqual({ maxBytes: 500e6 });
    expect(parseRetention("2GiB")).toEqual({ maxBytes: 2 * 2 ** 30 });
    expect(parseRetention("1.5gb")).toEqual({ maxBytes: 1.5e9 });
    expect(parseRetention("14d,20GB")).toEqual({ maxAgeMs: 14 * 86_400_000, maxBytes: 20e9 });
    expect(parseRetention(" 20GB , 14d ")).toEqual({ maxAgeMs: 14 * 86_400_000, maxBytes: 20e9 });
  });

  it("keeps everything when empty", () => {
    expect(parseRetention("")).toEqual({});
  });

  it("says what is wrong", () => {
    expect(() => parseRetention("14")).toThrow('"14" is neither an age (14d, 36h, 90m, 2w) nor a size (20GB, 500MB, 2GiB)');
    expect(() => parseRetention("14 days")).toThrow('"days" in "14 days" is not a unit');
    expect(() => parseRetention("20XB")).toThrow('"XB" in "20XB" is not a unit: ages take m, h, d or w; sizes B, KB');
    expect(() => parseRetention("-3d")).toThrow("is neither an age");
    expect(() => parseRetention("14d,7d")).toThrow("it names an age twice");
    expect(() => parseRetention("1GB,2GB")).toThrow("it names a size twice");
    expect(() => parseRetention("0d")).toThrow('an age of "0d" is shorter than a minute');
    expect(() => parseRetention("10KB")).toThrow('a size of "10KB" is under 1MB');
  });
});

describe("planKeyPrune", () => {
  const put = (revision: number) => ({ revision, deleted: false });
  const del = (revision: number) => ({ revision, deleted: true });

  it("keeps the newest PUT below the boundary and drops the versions before it", () => {
    expect(planKeyPrune([put(3), put(7), put(9)], 12)).toEqual({ deleteBelow: 9, keep: 9 });
  });

  it("keeps a version at the boundary as the boundary's own event", () => {
    expect(planKeyPrune([put(3), put(12)], 12)).toEqual({ deleteBelow: 12, keep: null });
    expect(planKeyPrune([put(3), del(12)], 12)).toEqual({ deleteBelow: 12, keep: null });
  });

  it("drops a key deleted before the boundary entirely", () => {
    expect(planKeyPrune([put(3), del(7)], 12)).toEqual({ deleteBelow: 12, keep: null });
  });
});

describe("sizeBoundary", () => {
  it("cuts at the version by which enough bytes are gone, or past all of them", () => {
    const oldest = [
      { revision: 3, bytes: 936 },
      { revision: 5, bytes: 936 },
      { revision: 9, bytes: 1_936 },
    ];
    expect(sizeBoundary(oldest, 1)).toBe(3);
    expect(sizeBoundary(oldest, 1_000)).toBe(3);
    expect(sizeBoundary(oldest, 1_001)).toBe(5);
    expect(sizeBoundary(oldest, 4_000)).toBe(9);
    expect(sizeBoundary(oldest, 4_001)).toBeNull();
  });
});
