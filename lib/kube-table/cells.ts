import { formatAge, formatDuration } from "./age";
import type { Cell } from "./types";

// How a cell reads and sorts. Pure and shared with the browser, which formats ages from one
// reference time for every row it has loaded.

export function formatCell(cell: Cell, reference: number): string {
  if (typeof cell === "string") return cell;
  if (typeof cell === "number") return String(cell);
  if ("age" in cell) return formatAge(cell.age, reference);
  if ("duration" in cell) return formatDuration(cell.duration);
  const { restarts, lastAt } = cell;
  return restarts !== 0 && lastAt !== null ? `${restarts} (${formatAge(lastAt, reference)} ago)` : String(restarts);
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * The number a cell sorts by, or undefined for text. An age sorts by how long ago (an unknown
 * time as the oldest), so that ascending reads youngest first, as the column reads.
 */
function sortNumber(cell: Cell, reference: number): number | undefined {
  if (typeof cell === "number") return cell;
  if (typeof cell === "string") return undefined;
  if ("age" in cell) return cell.age === null ? Number.POSITIVE_INFINITY : reference - cell.age;
  if ("duration" in cell) return cell.duration;
  return cell.restarts;
}

/** Orders two cells of one column: numbers and times by value, text naturally ("pod-2" before "pod-10"). */
export function compareCells(a: Cell, b: Cell, reference: number): number {
  const left = sortNumber(a, reference);
  const right = sortNumber(b, reference);
  if (left !== undefined && right !== undefined) return left === right ? 0 : left < right ? -1 : 1;
  if (left !== undefined) return -1;
  if (right !== undefined) return 1;
  return collator.compare(a as string, b as string);
}
