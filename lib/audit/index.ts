import "server-only";
import { describeArchiveError, getArchiveStore } from "@/lib/archive/service";
import type { AuditQuery, StoredAuditRow } from "@/lib/archive/store";
import type { Viewer } from "@/lib/auth/viewer";
import { getAuditSettings } from "@/lib/env";
import type { AuditEntry } from "./entry";
import { auditSubjectOf } from "./request";
import { AuditTrail, type AuditTrailStatus } from "./trail";

// The audit trail's one entry point: who revealed a Secret, exported, signed in or was refused,
// written as one JSON line to ETCDLENS_AUDIT_LOG (a file, or "-" for stdout) and kept in the
// archive for the /audit page. One trail per process, held on globalThis so that Next's route
// bundles and instrumentation share it (and its open file).

export { AUDIT_ACTIONS, AUDIT_OUTCOMES, auditLineOf, type AuditAction, type AuditEntry, type AuditLine, type AuditOutcome } from "./entry";
export type { AuditTrailStatus } from "./trail";
export { auditSubjectOf } from "./request";

const globalCache = globalThis as unknown as { etcdlensAuditTrail?: AuditTrail };

function trail(): AuditTrail {
  globalCache.etcdlensAuditTrail ??= new AuditTrail(getAuditSettings(), { archive: getArchiveStore, describeArchiveError });
  return globalCache.etcdlensAuditTrail;
}

/** Records one event; never throws, and waits for no I/O but one write(2) of its line. */
export function recordAudit(entry: AuditEntry): void {
  try {
    trail().record(entry);
  } catch (error) {
    // Only a broken setting gets here (the trail could not be made); the server log says so.
    console.error(`etcdlens audit: not recording: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Opens ETCDLENS_AUDIT_LOG at the server's start, so that a file that cannot be opened is said then, not at the first reveal. */
export function openAuditTrail(): void {
  trail();
}

/** Whether the audit trail is written (health check, cluster overview). */
export function getAuditTrailStatus(): AuditTrailStatus {
  return trail().status();
}

/** Waits until every entry so far is on disk and in the archive (tests, shutdown). */
export function flushAuditTrail(): Promise<void> {
  return trail().flush();
}

export type AuditPage = {
  entries: StoredAuditRow[];
  /** Where the next page starts (pass as `before`); null on the last page. */
  nextBefore: number | null;
  /** False when the archive is off: the entries are only in ETCDLENS_AUDIT_LOG. */
  archived: boolean;
};

/** The audit trail newest first, as the archive keeps it; an empty page when the archive is off. */
export async function listAudit(query: AuditQuery): Promise<AuditPage> {
  const store = await getArchiveStore();
  if (!store) return { entries: [], nextBefore: null, archived: false };
  // One more than asked says whether a next page exists.
  const rows = await store.listAudit({ ...query, limit: query.limit + 1 });
  const entries = rows.slice(0, query.limit);
  return { entries, nextBefore: rows.length > query.limit ? entries[entries.length - 1].id : null, archived: true };
}

/** Records that a Secret value (or a Secret's raw bytes) left the server for this request's viewer. */
export function recordReveal(
  request: Request,
  viewer: Viewer,
  what: Pick<AuditEntry, "cluster" | "key" | "revision" | "field" | "reason">,
): void {
  recordAudit({ ...auditSubjectOf(request, viewer), action: "reveal", outcome: "allowed", ...what });
}
