import type { DiffLine } from "./text";

// The unified diff as `git diff` prints it: hunks of changed lines with a few unchanged lines of
// context, each under an `@@ -old +new @@` header, and the unchanged runs between them collapsed.

export type Hunk = {
  /** `@@ -12,7 +12,8 @@ spec:`: ranges as GNU diff writes them, then git's section heading. */
  header: string;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** The index in the diff's lines of the hunk's first line. */
  from: number;
  lines: DiffLine[];
};
/** Unchanged lines left out between hunks: `count` lines from index `from` of the diff's lines. */
export type HunkGap = { from: number; count: number };
export type HunkItem = { hunk: Hunk } | { gap: HunkGap };

const DEFAULT_CONTEXT = 3;

// git's default section heading: the last line before the hunk that starts with a letter, `_` or
// `$`. In YAML that is the top-level key the change sits under (`spec:`, `status:`).
const SECTION_LINE = /^[A-Za-z_$]/;

function formatRange(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}

function textOf(line: DiffLine): string {
  return line.segments.map((segment) => segment.text).join("");
}

function findSection(lines: readonly DiffLine[], before: number): string {
  for (let k = before - 1; k >= 0; k--) {
    if (lines[k].kind === "added") continue;
    const text = textOf(lines[k]);
    if (SECTION_LINE.test(text)) return text;
  }
  return "";
}

/** Which lines are shown: context around every change, plus the gaps the reader opened. */
function markShown(lines: readonly DiffLine[], context: number, opened: ReadonlySet<number>): Uint8Array {
  const shown = new Uint8Array(lines.length);
  lines.forEach((line, index) => {
    if (line.kind === "same") return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) shown[k] = 1;
  });
  // A gap is named by where it starts before any gap is opened, so opening one never renames another.
  let i = 0;
  while (i < lines.length) {
    if (shown[i]) {
      i += 1;
      continue;
    }
    const from = i;
    while (i < lines.length && !shown[i]) i += 1;
    if (opened.has(from)) shown.fill(1, from, i);
  }
  return shown;
}

function buildHunk(lines: readonly DiffLine[], from: number, to: number, oldBefore: number, newBefore: number): Hunk {
  const body = lines.slice(from, to);
  const oldCount = body.filter((line) => line.kind !== "added").length;
  const newCount = body.filter((line) => line.kind !== "removed").length;
  // GNU diff: an empty range starts at the line before it (`-0,0` for a file that was empty).
  const oldStart = oldCount > 0 ? oldBefore + 1 : oldBefore;
  const newStart = newCount > 0 ? newBefore + 1 : newBefore;
  const section = findSection(lines, from);
  const header = `@@ -${formatRange(oldStart, oldCount)} +${formatRange(newStart, newCount)} @@${section ? ` ${section}` : ""}`;
  return { header, oldStart, oldCount, newStart, newCount, from, lines: body };
}

/**
 * The hunks of a line diff, `context` unchanged lines around each change (git's default is 3),
 * with the unchanged runs between them as gaps. A gap whose `from` is in `opened` is shown: its
 * lines join the hunks on either side into one, as git would print it with a larger context.
 * No change, no hunk.
 */
export function buildHunks(lines: readonly DiffLine[], opened: ReadonlySet<number> = new Set(), context = DEFAULT_CONTEXT): HunkItem[] {
  if (!lines.some((line) => line.kind !== "same")) return [];
  const shown = markShown(lines, context, opened);
  const items: HunkItem[] = [];
  let oldBefore = 0;
  let newBefore = 0;
  let i = 0;
  while (i < lines.length) {
    const from = i;
    const wanted = shown[i];
    while (i < lines.length && shown[i] === wanted) i += 1;
    if (wanted) items.push({ hunk: buildHunk(lines, from, i, oldBefore, newBefore) });
    else items.push({ gap: { from, count: i - from } });
    for (let k = from; k < i; k++) {
      if (lines[k].kind !== "added") oldBefore += 1;
      if (lines[k].kind !== "removed") newBefore += 1;
    }
  }
  return items;
}
