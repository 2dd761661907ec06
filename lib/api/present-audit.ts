import "server-only";
import type { StoredAuditRow } from "@/lib/archive/store";
import { auditLineOf, type AuditPage, type AuditTrailStatus } from "@/lib/audit";
import { bytesToBase64 } from "@/lib/keys";
import type { AuditEntryDto, AuditPageDto, AuditStatusDto } from "./dto";

// The one place the audit trail's answers are built: an entry says what its JSON line says
// (lib/audit/entry.ts), plus its key's exact bytes and its place for paging.

export function presentAuditEntry(row: StoredAuditRow): AuditEntryDto {
  const { kind: _kind, ...line } = auditLineOf(row);
  const entry: AuditEntryDto = { id: String(row.id), ...line };
  if (row.key !== null) entry.keyBase64 = bytesToBase64(row.key);
  if (row.prefix !== null) entry.prefixBase64 = bytesToBase64(row.prefix);
  return entry;
}

export function presentAuditStatus(status: AuditTrailStatus): AuditStatusDto {
  return { log: status.log, archive: status.archive };
}

export function presentAuditPage(page: AuditPage, status: AuditTrailStatus): AuditPageDto {
  return {
    entries: page.entries.map(presentAuditEntry),
    nextBefore: page.nextBefore === null ? null : String(page.nextBefore),
    archived: page.archived,
    status: presentAuditStatus(status),
  };
}
