import "server-only";
import type { AuditQuery, AuditRow, StoredAuditRow } from "./store";

// The audit table's statements, one text for both engines: each engine passes its table name and
// how it writes the n-th parameter (SQLite "?", PostgreSQL "$n"), so a filter or an order cannot
// drift apart between them. The table itself is created by each engine's migrations, in its types.

const COLUMNS = [
  "time",
  "user_name",
  "group_names",
  "via",
  "cluster",
  "key",
  "prefix",
  "revision",
  "field",
  "action",
  "outcome",
  "reason",
  "remote_address",
] as const;

/** Rows per INSERT: 13 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535. */
export const AUDIT_INSERT_BATCH = 500;

export type Placeholder = (index: number) => string;

export type Statement = { sql: string; params: unknown[] };

/** One INSERT of up to AUDIT_INSERT_BATCH rows. */
export function auditInsert(table: string, placeholder: Placeholder, rows: readonly AuditRow[]): Statement {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = [
      row.time,
      row.user,
      JSON.stringify(row.groups),
      row.via,
      row.cluster,
      row.key,
      row.prefix,
      row.revision,
      row.field === null ? null : JSON.stringify(row.field),
      row.action,
      row.outcome,
      row.reason,
      row.remoteAddress,
    ];
    const start = params.length;
    params.push(...values);
    return `(${values.map((_, at) => placeholder(start + at)).join(", ")})`;
  });
  return { sql: `INSERT INTO ${table} (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`, params };
}

/** The page `query` asks for, newest first; by_user and by_action serve the filters. */
export function auditSelect(table: string, placeholder: Placeholder, query: AuditQuery): Statement {
  const params: unknown[] = [];
  const where: string[] = [];
  const bind = (column: string, operator: string, value: unknown) => {
    where.push(`${column} ${operator} ${placeholder(params.length)}`);
    params.push(value);
  };
  if (query.before !== undefined) bind("id", "<", query.before);
  if (query.user !== undefined) bind("user_name", "=", query.user);
  if (query.action !== undefined) bind("action", "=", query.action);
  if (query.outcome !== undefined) bind("outcome", "=", query.outcome);
  const filter = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  const limit = placeholder(params.length);
  params.push(query.limit);
  return { sql: `SELECT id, ${COLUMNS.join(", ")} FROM ${table}${filter} ORDER BY id DESC LIMIT ${limit}`, params };
}

/** A row as either engine's driver returns it (PostgreSQL's int8 as strings, bytea as Buffer). */
export type AuditResultRow = {
  id: number | string;
  time: number | string;
  user_name: string;
  group_names: string;
  via: string;
  cluster: string | null;
  key: Buffer | null;
  prefix: Buffer | null;
  revision: number | string | null;
  field: string | null;
  action: string;
  outcome: string;
  reason: string | null;
  remote_address: string | null;
};

export function readAuditRow(row: AuditResultRow): StoredAuditRow {
  return {
    id: Number(row.id),
    time: Number(row.time),
    user: row.user_name,
    groups: JSON.parse(row.group_names) as string[],
    via: row.via,
    cluster: row.cluster,
    key: row.key,
    prefix: row.prefix,
    revision: row.revision === null ? null : Number(row.revision),
    field: row.field === null ? null : (JSON.parse(row.field) as string[]),
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    remoteAddress: row.remote_address,
  };
}
