import { describe, expect, it } from "vitest";
import { describeFigures, formatBytes, formatRate, formatShare } from "./figures";

describe("space and churn figures", () => {
  it("print bytes in decimal units with at most one decimal", () => {
    expect([0, 999, 1_000, 1_234, 99_949, 999_960, 1_200_000, 4_000_000_000].map(formatBytes)).toEqual([
      "0 B",
      "999 B",
      "1.0 kB",
      "1.2 kB",
      "99.9 kB",
      "1.0 MB",
      "1.2 MB",
      "4.0 GB",
    ]);
  });

  it("print shares, never rounding a non-zero share to 0%", () => {
    expect([formatShare(3, 100), formatShare(1, 1_000), formatShare(0, 10), formatShare(5, undefined), formatShare(5, 0)]).toEqual([
      "3%",
      "<1%",
      "0%",
      undefined,
      undefined,
    ]);
  });

  it("print rates and a row's line, without a rate for a direct key", () => {
    expect([formatRate(0), formatRate(0.25), formatRate(40), formatRate(1234.4)]).toEqual(["0/min", "0.3/min", "40/min", "1,234/min"]);
    expect(describeFigures({ bytes: 1_200_000, writesPerMinute: 40 }, 40_000_000)?.text).toBe("1.2 MB · 3% · 40/min");
    expect(describeFigures({ bytes: 512, writesPerMinute: null }, undefined)?.text).toBe("512 B");
    expect(describeFigures({ bytes: null, writesPerMinute: null }, 10)).toBeUndefined();
  });
});
