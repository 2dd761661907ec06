// WCAG 2 contrast between colours the browser computed (as 8-bit sRGB with alpha). Pure, so that
// e2e/ui/dark-mode.spec.ts can measure the page and this can be unit-tested on known ratios.

/** An sRGB colour: r, g, b in 0–255, alpha in 0–1. */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

/** `top` painted over `bottom`, as browsers blend: per channel in sRGB. */
export function compositeOver(top: Rgba, bottom: Rgba): Rgba {
  const alpha = top[3] + bottom[3] * (1 - top[3]);
  if (alpha === 0) return [0, 0, 0, 0];
  const channel = (i: 0 | 1 | 2) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha;
  return [channel(0), channel(1), channel(2), alpha];
}

/**
 * The colour seen behind an element: its own background and its ancestors', innermost first,
 * stacked on `canvas` (the browser's page colour, seen only if no ancestor is opaque).
 */
export function flattenBackgrounds(layers: readonly Rgba[], canvas: Rgba): Rgba {
  return layers.reduceRight<Rgba>((below, layer) => compositeOver(layer, below), canvas);
}

/** WCAG 2 relative luminance of an opaque sRGB colour. */
export function relativeLuminance([r, g, b]: Rgba): number {
  const linear = (value: number) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio (1–21) of text over an opaque background; translucent text is blended first. */
export function contrastRatio(text: Rgba, background: Rgba): number {
  const seen = relativeLuminance(compositeOver(text, background));
  const behind = relativeLuminance(background);
  return (Math.max(seen, behind) + 0.05) / (Math.min(seen, behind) + 0.05);
}
