import { z } from "zod";
import { decodeKeyParam, MalformedParamError, type KeyBytes } from "@/lib/keys";

// Revisions, lease IDs and keys written as text in URLs: one rule for each, pure and shared by
// pages and route handlers, so that a link the API accepts opens the page and the other way round.

/** What reading one parameter gave: the value, or a message saying why the text names none. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

// ---------------------------------------------------------------------------------------------
// Revisions. etcd revisions are int64. Past 2^53 a JavaScript number cannot hold every integer:
// such a revision is refused rather than read as its rounded neighbour. No etcd reaches it in
// practice (a million writes a second for 285 years).

const REVISION_TEXT = /^[1-9][0-9]*$/;

/** Why `text` is not an exact revision, or undefined when it is one. */
export function revisionProblem(text: string): string | undefined {
  if (!REVISION_TEXT.test(text)) return "a revision is a positive whole number";
  if (!Number.isSafeInteger(Number(text))) return `a revision is at most ${Number.MAX_SAFE_INTEGER}`;
  return undefined;
}

export function parseRevision(text: string): Parsed<number> {
  const problem = revisionProblem(text);
  return problem ? { ok: false, message: problem } : { ok: true, value: Number(text) };
}

/** The revision `text` names exactly; undefined when it is absent or names none. */
export function readRevisionText(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseRevision(text);
  return parsed.ok ? parsed.value : undefined;
}

export const revisionSchema = z.string().transform((text, context) => {
  const parsed = parseRevision(text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

// ---------------------------------------------------------------------------------------------
// Lease IDs. etcd's JSON (and this API) writes them in decimal; etcdctl prints them as 16 hex
// digits without a prefix (`lease 694da233fee7a805 granted…`, `lease list`) and reads them back
// only in that form. Both are accepted, and 0x-prefixed hex too. Digits alone are decimal, except
// etcdctl's zero-padded form (16 hex digits starting with 0); 16 digits without a letter or a
// leading zero are decimal, so such an etcdctl ID has to be written with 0x.

// LeaseGrant's ID is an int64 and 0 means "no lease".
export const MAX_LEASE_ID = 2n ** 63n - 1n;
const LEASE_ID_RULE = `a lease ID is a decimal number or hex as etcdctl prints it (16 hex digits, or 0x and up to 16), from 1 to ${MAX_LEASE_ID} (0x${MAX_LEASE_ID.toString(16)})`;

function leaseIdValue(text: string): bigint | undefined {
  if (/^0x[0-9a-f]{1,16}$/i.test(text)) return BigInt(text);
  if (/^[0-9a-f]{16}$/i.test(text) && (/[a-f]/i.test(text) || text.startsWith("0"))) return BigInt(`0x${text}`);
  if (/^[1-9][0-9]{0,18}$/.test(text)) return BigInt(text);
  return undefined;
}

/** The lease `text` names, as the decimal string etcd's JSON uses. */
export function parseLeaseId(text: string): Parsed<string> {
  const value = leaseIdValue(text.trim());
  if (value === undefined || value < 1n || value > MAX_LEASE_ID) return { ok: false, message: LEASE_ID_RULE };
  return { ok: true, value: value.toString() };
}

export const leaseIdSchema = z.string().transform((text, context) => {
  const parsed = parseLeaseId(text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

// ---------------------------------------------------------------------------------------------
// Keys in query parameters: percent-encoded bytes (lib/keys.ts decodeKeyParam).

/** The key bytes a raw (still percent-encoded) parameter value names; `required` refuses none. */
export function parseKeyParam(name: string, raw: string | undefined, required: boolean): Parsed<KeyBytes> {
  if (raw === undefined || raw === "") {
    return required ? { ok: false, message: `the "${name}" parameter is required` } : { ok: true, value: new Uint8Array(0) };
  }
  try {
    return { ok: true, value: decodeKeyParam(raw) };
  } catch (error) {
    if (error instanceof MalformedParamError) return { ok: false, message: `"${name}": ${error.message}` };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Field managers (metadata.managedFields[].manager), by which the change feed filters. The API
// server refuses a fieldManager over 128 characters, so no longer name can match.

export const MAX_MANAGER_LENGTH = 128;

export function parseManager(text: string): Parsed<string> {
  const name = text.trim();
  if (name === "") return { ok: false, message: "a field manager is a name such as kubectl or kube-controller-manager" };
  if (name.length > MAX_MANAGER_LENGTH) return { ok: false, message: `a field manager's name is at most ${MAX_MANAGER_LENGTH} characters` };
  return { ok: true, value: name };
}

export const managerSchema = z.string().transform((text, context) => {
  const parsed = parseManager(text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

// ---------------------------------------------------------------------------------------------
// Times (`at=`, the change feed's from/to): RFC 3339 with a zone, as Kubernetes writes them
// (2026-11-20T09:05:10Z, .123456 fractions, +02:00 offsets). A "+" sent unescaped in a query
// string arrives as a space, so a space before the offset is read as "+". Fractions below a
// millisecond are cut: the archive's clock counts milliseconds.

const TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+\- ])(\d{2}):(\d{2}))$/;
const TIME_RULE = "a time is RFC 3339 with a zone, such as 2026-11-20T09:05:00Z or 2026-11-20T10:05:00+01:00";

/** The instant (epoch ms) an RFC 3339 time names. */
export function parseTime(text: string): Parsed<number> {
  const match = TIME_TEXT.exec(text.trim());
  if (!match) return { ok: false, message: TIME_RULE };
  const [, year, month, day, hour, minute, second, fraction = "", , sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March; a time that does not exist is refused instead.
  if (check.getUTCMonth() !== fields[1] - 1 || check.getUTCDate() !== fields[2] || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    return { ok: false, message: `${text.trim()} is not a time that exists` };
  }
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000 : 0;
  return { ok: true, value: utc + Number(fraction.padEnd(3, "0").slice(0, 3)) - offset };
}

/** A change feed bound: a revision (digits) or a time. */
export type RevisionOrTime = { revision: number } | { time: number };

export function parseRevisionOrTime(text: string): Parsed<RevisionOrTime> {
  if (/^\d+$/.test(text.trim())) {
    const parsed = parseRevision(text.trim());
    return parsed.ok ? { ok: true, value: { revision: parsed.value } } : parsed;
  }
  const time = parseTime(text);
  return time.ok ? { ok: true, value: { time: time.value } } : { ok: false, message: `a revision or a time: ${TIME_RULE}` };
}
