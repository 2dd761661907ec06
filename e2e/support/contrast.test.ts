import { describe, expect, it } from "vitest";
import { compositeOver, contrastRatio, flattenBackgrounds, relativeLuminance, type Rgba } from "./contrast";

const white: Rgba = [255, 255, 255, 1];
const black: Rgba = [0, 0, 0, 1];

describe("contrastRatio", () => {
  it("is 21 for black on white and 1 for a colour on itself, in either order", () => {
    expect(contrastRatio(black, white)).toBeCloseTo(21, 5);
    expect(contrastRatio(white, black)).toBeCloseTo(21, 5);
    expect(contrastRatio([119, 119, 119, 1], [119, 119, 119, 1])).toBe(1);
  });

  it("matches WCAG's own examples: #767676 on white just passes AA, #777 just fails", () => {
    expect(contrastRatio([0x76, 0x76, 0x76, 1], white)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio([0x77, 0x77, 0x77, 1], white)).toBeLessThan(4.5);
    expect(contrastRatio([0x76, 0x76, 0x76, 1], white)).toBeCloseTo(4.54, 2);
  });

  it("blends translucent text into its background first", () => {
    expect(contrastRatio([0, 0, 0, 0], white)).toBe(1);
    expect(contrastRatio([0, 0, 0, 0.5], white)).toBeCloseTo(contrastRatio([128, 128, 128, 1], white), 1);
  });
});

describe("relativeLuminance", () => {
  it("weights green most, blue least", () => {
    expect(relativeLuminance([0, 255, 0, 1])).toBeCloseTo(0.7152, 4);
    expect(relativeLuminance([255, 0, 0, 1])).toBeCloseTo(0.2126, 4);
    expect(relativeLuminance([0, 0, 255, 1])).toBeCloseTo(0.0722, 4);
  });
});

describe("flattenBackgrounds", () => {
  it("takes the innermost opaque layer, whatever lies below it", () => {
    expect(flattenBackgrounds([[10, 20, 30, 1], white], black)).toEqual([10, 20, 30, 1]);
  });

  it("shows through transparent layers to the first opaque ancestor", () => {
    expect(
      flattenBackgrounds(
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [1, 2, 3, 1],
        ],
        white,
      ),
    ).toEqual([1, 2, 3, 1]);
  });

  it("blends a translucent layer with what lies below it, and falls back to the canvas", () => {
    const half = flattenBackgrounds([[0, 0, 0, 0.5]], white);
    expect(half).toEqual(compositeOver([0, 0, 0, 0.5], white));
    expect(half[0]).toBeCloseTo(127.5, 5);
    expect(flattenBackgrounds([], black)).toEqual(black);
  });
});
