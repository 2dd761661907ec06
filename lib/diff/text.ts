import { diffLines, diffWordsWithSpace } from "diff";

// A line diff of two texts (jsdiff), with the words that changed inside a changed line marked, in
// two layouts: unified (one column) and split (old left, new right, changed lines paired), and
// long runs of unchanged lines folded away.

export type Segment = { text: string; changed: boolean };
export type DiffLine = {
  kind: "same" | "removed" | "added";
  oldNumber?: number;
  newNumber?: number;
  segments: Segment[];
};
export type SplitRow = { left?: DiffLine; right?: DiffLine };
export type Folded<T> = { fold: number; from: number } | { row: T };

// Beyond this, pairing lines word by word costs more than it tells.
const MAX_WORD_DIFF_CHARS = 2_000;

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function plain(text: string): Segment[] {
  return [{ text, changed: false }];
}

function wordSegments(old: string, next: string): { old: Segment[]; new: Segment[] } {
  if (old.length + next.length > MAX_WORD_DIFF_CHARS) return { old: [{ text: old, changed: true }], new: [{ text: next, changed: true }] };
  const left: Segment[] = [];
  const right: Segment[] = [];
  for (const part of diffWordsWithSpace(old, next)) {
    if (!part.added) left.push({ text: part.value, changed: Boolean(part.removed) });
    if (!part.removed) right.push({ text: part.value, changed: Boolean(part.added) });
  }
  return { old: left, new: right };
}

/** The unified diff: unchanged, removed and added lines in reading order, with line numbers. */
export function diffText(oldText: string, newText: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldNumber = 1;
  let newNumber = 1;
  const parts = diffLines(oldText, newText);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (!part.added && !part.removed) {
      for (const line of splitLines(part.value))
        out.push({ kind: "same", oldNumber: oldNumber++, newNumber: newNumber++, segments: plain(line) });
      continue;
    }
    // A removal followed by an addition is a change: pair the lines to mark the words inside.
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      const removed = splitLines(part.value);
      const added = splitLines(next.value);
      const paired = Math.min(removed.length, added.length);
      const words = Array.from({ length: paired }, (_, k) => wordSegments(removed[k], added[k]));
      removed.forEach((line, k) =>
        out.push({ kind: "removed", oldNumber: oldNumber++, segments: k < paired ? words[k].old : [{ text: line, changed: true }] }),
      );
      added.forEach((line, k) =>
        out.push({ kind: "added", newNumber: newNumber++, segments: k < paired ? words[k].new : [{ text: line, changed: true }] }),
      );
      i += 1;
      continue;
    }
    for (const line of splitLines(part.value)) {
      if (part.removed) out.push({ kind: "removed", oldNumber: oldNumber++, segments: [{ text: line, changed: true }] });
      else out.push({ kind: "added", newNumber: newNumber++, segments: [{ text: line, changed: true }] });
    }
  }
  return out;
}

/** Side by side: unchanged lines on both sides, removed lines left paired with added lines right. */
export function toSplitRows(lines: readonly DiffLine[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].kind === "same") {
      rows.push({ left: lines[i], right: lines[i] });
      i += 1;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (i < lines.length && lines[i].kind === "removed") removed.push(lines[i++]);
    while (i < lines.length && lines[i].kind === "added") added.push(lines[i++]);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push({ left: removed[k], right: added[k] });
  }
  return rows;
}

/** Keeps `context` unchanged rows around each change and folds longer unchanged runs. */
export function foldUnchanged<T>(rows: readonly T[], isChange: (row: T) => boolean, context = 3): Folded<T>[] {
  const keep = new Uint8Array(rows.length);
  rows.forEach((row, index) => {
    if (!isChange(row)) return;
    for (let k = Math.max(0, index - context); k <= Math.min(rows.length - 1, index + context); k++) keep[k] = 1;
  });
  const out: Folded<T>[] = [];
  let i = 0;
  while (i < rows.length) {
    if (keep[i]) {
      out.push({ row: rows[i] });
      i += 1;
      continue;
    }
    const from = i;
    while (i < rows.length && !keep[i]) i += 1;
    out.push({ fold: i - from, from });
  }
  return out;
}

export function countChangedLines(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === "added") added += 1;
    else if (line.kind === "removed") removed += 1;
  }
  return { added, removed };
}
