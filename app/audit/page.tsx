import { AuditList } from "@/components/audit/audit-list";
import type { AuditFilters } from "@/lib/queries/audit";

// /audit?user=&action=&outcome= — the audit trail, newest first. Who may read it the API decides
// (the `audit` right; open when sign-in is off), and the page shows its answer or its refusal.

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[value.length - 1] : value;
  return text ? text : undefined;
}

export default async function AuditPage({ searchParams }: PageProps) {
  const search = await searchParams;
  const filters: AuditFilters = { user: single(search.user), action: single(search.action), outcome: single(search.outcome) };
  return (
    <div className="overflow-auto p-4">
      <AuditList filters={filters} />
    </div>
  );
}
