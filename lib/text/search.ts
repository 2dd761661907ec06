// Finding a typed string in a long text (a value of a megabyte and more) for the value viewer's
// search box. Offsets are UTF-16 indexes, as the DOM counts them, so a match maps onto a text node.

export type TextMatches = {
  /** Where each match starts, in reading order; at most `limit` of them. */
  offsets: number[];
  /** How many matches there are in all, counted past the limit. */
  total: number;
};

// Past this many, the count still says how many there are; only their positions are not kept.
const DEFAULT_LIMIT = 100_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Every occurrence of `query` in `text`, ignoring case. The query is matched literally: a typed
 * `.` or `[` is the character itself. Without the `u` flag the case folding is per UTF-16 unit,
 * so a match is exactly as long as the query and its offsets are the text's own.
 */
export function findMatches(text: string, query: string, limit = DEFAULT_LIMIT): TextMatches {
  if (query === "") return { offsets: [], total: 0 };
  const pattern = new RegExp(escapeRegExp(query), "gi");
  const offsets: number[] = [];
  let total = 0;
  for (let found = pattern.exec(text); found; found = pattern.exec(text)) {
    if (total < limit) offsets.push(found.index);
    total += 1;
  }
  return { offsets, total };
}

/** The offset at which each line of `text` starts; the first line starts at 0. */
export function findLineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  return starts;
}

/** The line (0-based) holding `offset`, by binary search over `findLineStarts`' answer. */
export function lineAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
