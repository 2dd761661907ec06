// Ages as kubectl prints them (AGE "5d3h", "47m", "90s"): apimachinery's duration.HumanDuration,
// two or three significant figures, counted from the reference time a table is read at.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A length of time the way kubectl's AGE column writes it. */
export function formatDuration(millis: number): string {
  const seconds = Math.trunc(millis / SECOND);
  // Up to a second in the future is clock skew between machines and reads as now.
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(millis / MINUTE);
  if (minutes < 10) return withRemainder(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(millis / HOUR);
  if (hours < 8) return withRemainder(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(millis / DAY);
  if (hours < 24 * 8) return withRemainder(days, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRemainder(whole: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${whole}${unit}` : `${whole}${unit}${rest}${restUnit}`;
}

/** The age of `instant` at `reference` ("<unknown>" for an object without the timestamp, as kubectl says). */
export function formatAge(instant: number | null, reference: number): string {
  return instant === null ? "<unknown>" : formatDuration(reference - instant);
}
