// Go's text forms for times and durations, as the API server's JSON shows them.

/** Seconds since the Unix epoch of Go's zero time.Time (0001-01-01T00:00:00Z), which prints as null. */
export const GO_ZERO_TIME_SECONDS = -62135596800;

/** RFC 3339 in UTC with whole seconds: "2008-01-01T01:01:01Z". */
export function formatRfc3339(seconds: number): string {
  return isoDateTime(seconds) + "Z";
}

/** RFC 3339 in UTC with exactly six fraction digits: "2008-01-01T01:01:01.123456Z". */
export function formatRfc3339Micro(seconds: number, nanos: number): string {
  const micros = Math.floor(Math.max(0, Math.min(nanos, 999_999_999)) / 1000);
  return `${isoDateTime(seconds)}.${String(micros).padStart(6, "0")}Z`;
}

function isoDateTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const [year, month, day] = civilFromDays(days);
  if (year < 0 || year > 9999) return goYearDateTime(seconds);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = Math.floor(secondOfDay % 60);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
}

function pad(value: number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : "0000".slice(0, width - text.length) + text;
}

/** Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm); cheaper than Date. */
function civilFromDays(daysSinceEpoch: number): [year: number, month: number, day: number] {
  const z = daysSinceEpoch + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Years outside 0000-9999, spelled as Go spells them. */
function goYearDateTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return "invalid-time";
  const [year, rest] = splitYear(date.toISOString());
  return year + rest.slice(0, 15);
}

/** Splits "+010000-01-01T..." or "2008-01-01T..." into the year as Go prints it and "-MM-DDThh:mm:ss...". */
function splitYear(iso: string): [string, string] {
  const match = /^([+-]?)(\d+)(-.*)$/.exec(iso);
  if (!match) return ["", iso];
  const digits = match[2].replace(/^0+(?=\d{4})/, "");
  return [(match[1] === "-" ? "-" : "") + digits, match[3]];
}

/** Parses RFC 3339 into seconds and nanoseconds since the epoch; undefined when it is not a time. */
export function parseRfc3339(text: string): { seconds: number; nanos: number } | undefined {
  const match = /^(\d{4,})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = "", zone] = match;
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  let seconds = date.getTime() / 1000;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  if (Number.isNaN(seconds)) return undefined;
  return { seconds, nanos: Number(fraction.padEnd(9, "0")) };
}

const NANOS_PER_SECOND = 1_000_000_000;

/** Go's time.Duration.String: "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const negative = nanoseconds < 0;
  let u = Math.abs(nanoseconds);
  let text: string;
  if (u < NANOS_PER_SECOND) {
    if (u < 1_000) text = `${u}ns`;
    else if (u < 1_000_000) text = `${fraction(u, 3)}µs`;
    else text = `${fraction(u, 6)}ms`;
  } else {
    const wholeSeconds = Math.floor(u / NANOS_PER_SECOND);
    const fractionText = fractionDigits(u % NANOS_PER_SECOND, 9);
    u = wholeSeconds;
    text = `${u % 60}${fractionText}s`;
    u = Math.floor(u / 60);
    if (u > 0) {
      text = `${u % 60}m${text}`;
      u = Math.floor(u / 60);
      if (u > 0) text = `${u}h${text}`;
    }
  }
  return negative ? `-${text}` : text;
}

/** value / 10^precision with the fraction's trailing zeros (and a bare point) dropped. */
function fraction(value: number, precision: number): string {
  const scale = 10 ** precision;
  return `${Math.floor(value / scale)}${fractionDigits(value % scale, precision)}`;
}

function fractionDigits(remainder: number, precision: number): string {
  if (remainder === 0) return "";
  return "." + String(remainder).padStart(precision, "0").replace(/0+$/, "");
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go duration string back into nanoseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const part of text.slice(match[1].length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]];
  }
  total = Math.round(total);
  return match[1] === "-" ? -total : total;
}
