// The shape of a kubectl-style table: what the row builders produce and the browser displays.
// Cells that depend on "now" (ages, running durations, the time of the last restart) carry the
// instant itself, so that the browser counts every row from one reference time.

/** An instant, shown as its age (kubectl's AGE, LAST SEEN); null when the object has none. */
export type AgeCell = { age: number | null };
/** A fixed length of time in milliseconds (a finished Job's DURATION). */
export type DurationCell = { duration: number };
/** kubectl's RESTARTS: the count, and "(5m ago)" when the last restart's time is known. */
export type RestartsCell = { restarts: number; lastAt: number | null };

export type Cell = string | number | AgeCell | DurationCell | RestartsCell;

/** A Kubernetes resource as a table names it: its API group ("" for the core group) and kind. */
export type ResourceRef = { group: string; kind: string };

export type TableRow = {
  /** metadata.name; the row's first cell links to its key. */
  name: string;
  cells: Cell[];
};

/** What a page of a folder holds when it is not one resource: "Pod" ×3, "text" ×2, "folder" ×1. */
export type KindCount = { what: string; count: number };

/**
 * What AGE is counted from. At the current revision: the server's clock when the page was read,
 * as kubectl counts from its own. At a past revision: the newest write-time stamp in the page's
 * objects (see clock.ts); null when none has one.
 */
export type TableClock = { basis: "now"; at: number } | { basis: "newest-timestamp"; at: number | null };
