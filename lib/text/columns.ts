// How many monospace columns a line takes on screen, so a view can be made as wide as its widest
// line without laying out every line first (a skipped content-visibility block has no width of its own).

const TAB_STOP = 8;
const PLAIN = /^[\x20-\x7e]*$/;

// East Asian wide and fullwidth characters take two columns in a monospace font: CJK, Hangul,
// fullwidth forms, and the emoji and ideograph planes.
function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

/** The columns `line` takes: tabs to the next multiple of 8, wide characters two, others one. */
export function countColumns(line: string): number {
  if (PLAIN.test(line)) return line.length;
  let columns = 0;
  for (const character of line) {
    if (character === "\t") columns += TAB_STOP - (columns % TAB_STOP);
    else columns += isWide(character.codePointAt(0)!) ? 2 : 1;
  }
  return columns;
}

/** The columns of the widest of `lines`. */
export function countWidestColumns(lines: readonly string[]): number {
  let widest = 0;
  for (const line of lines) if (line.length > widest || !PLAIN.test(line)) widest = Math.max(widest, countColumns(line));
  return widest;
}
