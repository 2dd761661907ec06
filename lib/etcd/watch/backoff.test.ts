import { describe, expect, it } from "vitest";
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffCeilingMs, backoffDelayMs, failureRounds } from "./backoff";

const options = { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS };

describe("backoffDelayMs", () => {
  it("waits nothing before the first failure", () => {
    expect(backoffDelayMs(0, options, () => 0.99)).toBe(0);
  });

  it("doubles its ceiling from 250 ms per failure and stops at 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((failures) => backoffCeilingMs(failures, options))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffCeilingMs(10_000, options)).toBe(30_000);
  });

  it("draws every wait from [0, ceiling): full jitter, never above the cap", () => {
    for (let failures = 1; failures < 40; failures++) {
      const ceiling = backoffCeilingMs(failures, options);
      expect(backoffDelayMs(failures, options, () => 0)).toBe(0);
      const highest = backoffDelayMs(failures, options, () => 0.999_999);
      expect(highest).toBeLessThan(ceiling);
      expect(highest).toBeGreaterThanOrEqual(ceiling - 1);
    }
    const draws = Array.from({ length: 2_000 }, () => backoffDelayMs(5, options));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(4_000);
    // Spread over the whole interval, not clustered at its ceiling.
    expect(draws.filter((draw) => draw < 2_000).length).toBeGreaterThan(600);
    expect(draws.filter((draw) => draw >= 2_000).length).toBeGreaterThan(600);
  });
});

describe("failureRounds", () => {
  it("grows the wait only once every endpoint has failed in turn", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((failures) => failureRounds(failures, 3))).toEqual([1, 1, 1, 2, 2, 2, 3]);
    expect([1, 2, 3].map((failures) => failureRounds(failures, 1))).toEqual([1, 2, 3]);
    expect(failureRounds(0, 3)).toBe(0);
  });
});
