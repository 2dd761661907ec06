// GET /api/audit?before=&limit=&user=&action=&outcome= — the audit trail newest first, as the
// archive keeps it (empty, saying so, when the archive is off), and whether it is being written.
// Only for viewers an access rule gives the `audit` right; open when sign-in is off (loopback only).
import { z } from "zod";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, getAuditTrailStatus, listAudit } from "@/lib/audit";
import type { AuditPageDto } from "@/lib/api/dto";
import { presentAuditPage } from "@/lib/api/present-audit";

export const dynamic = "force-dynamic";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "before is an entry's id")
  .transform(Number)
  .optional();
const limitParam = z.coerce.number().int().min(1).max(MAX_LIMIT).optional();
// An empty filter (a form's "any") filters nothing.
const blank = (value: unknown) => (value === "" ? undefined : value);
const textParam = z.preprocess(blank, z.string().max(1024, "a filter is at most 1024 characters").optional());

export const GET = apiRoute(async (request, access): Promise<AuditPageDto> => {
  // access: the audit trail is its own right (`audit` in an access rule), not implied by any key's.
  access.requireAudit();
  const query = new QueryParams(request);
  const page = await listAudit({
    before: query.parsed("before", idParam),
    limit: query.parsed("limit", limitParam) ?? DEFAULT_LIMIT,
    user: query.parsed("user", textParam),
    action: query.parsed("action", z.preprocess(blank, z.enum(AUDIT_ACTIONS).optional())),
    outcome: query.parsed("outcome", z.preprocess(blank, z.enum(AUDIT_OUTCOMES).optional())),
  });
  return presentAuditPage(page, getAuditTrailStatus());
});
