import { describe, expect, it } from "vitest";
import { formatGoDuration, formatRfc3339, formatRfc3339Micro, parseGoDuration, parseRfc3339 } from "./go-format";

describe("Go duration strings", () => {
  it.each([
    [0, "0s"],
    [1, "1ns"],
    [1500, "1.5µs"],
    [1_500_000, "1.5ms"],
    [3_723_500_000_000, "1h2m3.5s"],
    [60_000_000_000, "1m0s"],
    [-2_000_000_000, "-2s"],
  ])("%d ns prints as %s and parses back", (nanos, text) => {
    expect(formatGoDuration(nanos)).toBe(text);
    expect(parseGoDuration(text)).toBe(nanos);
  });
});

describe("RFC 3339 times", () => {
  it("prints whole seconds in UTC and reads them back", () => {
    expect(formatRfc3339(1199149261)).toBe("2008-01-01T01:01:01Z");
    expect(parseRfc3339("2008-01-01T02:01:01+01:00")).toEqual({ seconds: 1199149261, nanos: 0 });
  });

  it("prints six fraction digits for MicroTime", () => {
    expect(formatRfc3339Micro(0, 2000)).toBe("1970-01-01T00:00:00.000002Z");
  });

  it("agrees with Date across leap years and centuries", () => {
    for (let seconds = -2208988800; seconds < 4102444800; seconds += 86400 * 37 + 3607) {
      expect(formatRfc3339(seconds)).toBe(new Date(seconds * 1000).toISOString().slice(0, 19) + "Z");
    }
  });
});
