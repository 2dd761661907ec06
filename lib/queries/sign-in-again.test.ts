import { describe, expect, it } from "vitest";
import { shouldReloadForSignIn } from "./sign-in-again";

describe("shouldReloadForSignIn", () => {
  it("reloads the first time and then at most once a minute", () => {
    expect(shouldReloadForSignIn(1_000_000, undefined)).toBe(true);
    expect(shouldReloadForSignIn(1_000_000, 1_000_000 - 5_000)).toBe(false);
    expect(shouldReloadForSignIn(1_000_000, 1_000_000 - 60_000)).toBe(true);
  });

  it("does not trust a stored time that is garbage or in the future", () => {
    expect(shouldReloadForSignIn(1_000_000, Number.NaN)).toBe(true);
    expect(shouldReloadForSignIn(1_000_000, 2_000_000)).toBe(true);
  });
});
