import "server-only";
import { keyToDisplay } from "@/lib/keys";
import type { SignInMethod } from "@/lib/auth/viewer";
import type { AuditRow } from "@/lib/archive/store";

// What the audit trail says about one event, in the three forms it takes: the entry a caller
// gives (bytes as bytes), the JSON line written to ETCDLENS_AUDIT_LOG (bytes in the explorer's
// display form, lib/keys.ts keyToDisplay: UTF-8 where printable, \xNN for any other byte and \\
// for a backslash, so two keys never print alike), and the archive's row (bytes as bytes again).

export const AUDIT_ACTIONS = ["sign-in", "sign-out", "reveal", "export", "denied", "token-refused"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ["allowed", "denied", "failed"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Every line carries it first, so a log pipeline that mixes the server's output can pick the audit lines out. */
export const AUDIT_LINE_KIND = "etcdlens.audit";

export type AuditEntry = {
  /** ISO 8601; now when omitted. */
  time?: string;
  user: string;
  groups: readonly string[];
  via: SignInMethod;
  cluster?: string;
  /** The key acted on, as bytes. */
  key?: Uint8Array;
  /** The prefix acted on (an export, a denied listing), as bytes. */
  prefix?: Uint8Array;
  revision?: number;
  /** The field of a Secret revealed, as the object path (["data", "password"]). */
  field?: readonly string[];
  action: AuditAction;
  outcome: AuditOutcome;
  /** Why: the rule that refused, the sign-in error, what was revealed. */
  reason?: string;
  /** The client's address, when the server knows it. */
  remoteAddress?: string;
};

/** The JSON line's object: optional fields only when they have a value. */
export type AuditLine = {
  kind: typeof AUDIT_LINE_KIND;
  time: string;
  user: string;
  groups: string[];
  via: string;
  action: string;
  outcome: string;
  cluster?: string;
  key?: string;
  prefix?: string;
  revision?: number;
  field?: string[];
  reason?: string;
  remoteAddress?: string;
};

function timeOf(entry: AuditEntry): number {
  const given = entry.time === undefined ? NaN : Date.parse(entry.time);
  return Number.isFinite(given) ? given : Date.now();
}

/** The entry as the archive keeps it, its time fixed. */
export function auditRowOf(entry: AuditEntry): AuditRow {
  return {
    time: timeOf(entry),
    user: entry.user,
    groups: [...entry.groups],
    via: entry.via,
    cluster: entry.cluster ?? null,
    key: entry.key ? Buffer.from(entry.key) : null,
    prefix: entry.prefix ? Buffer.from(entry.prefix) : null,
    revision: entry.revision ?? null,
    field: entry.field ? [...entry.field] : null,
    action: entry.action,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    remoteAddress: entry.remoteAddress ?? null,
  };
}

/** A row as its JSON line says it (the file, stdout and the API show the same fields). */
export function auditLineOf(row: AuditRow): AuditLine {
  const line: AuditLine = {
    kind: AUDIT_LINE_KIND,
    time: new Date(row.time).toISOString(),
    user: row.user,
    groups: row.groups,
    via: row.via,
    action: row.action,
    outcome: row.outcome,
  };
  if (row.cluster !== null) line.cluster = row.cluster;
  if (row.key !== null) line.key = keyToDisplay(row.key);
  if (row.prefix !== null) line.prefix = keyToDisplay(row.prefix);
  if (row.revision !== null) line.revision = row.revision;
  if (row.field !== null) line.field = row.field;
  if (row.reason !== null) line.reason = row.reason;
  if (row.remoteAddress !== null) line.remoteAddress = row.remoteAddress;
  return line;
}

/** One line of ETCDLENS_AUDIT_LOG, newline included. JSON escapes every control character, so a line never breaks. */
export function formatAuditLine(row: AuditRow): string {
  return `${JSON.stringify(auditLineOf(row))}\n`;
}
