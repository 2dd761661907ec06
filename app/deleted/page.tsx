import { DeletedList } from "@/components/deleted/deleted-list";
import { ErrorPanel } from "@/components/ui/panels";
import { parseRevisionOrTime } from "@/lib/params";
import type { DeletedFilters } from "@/lib/queries/deleted";

// /deleted?prefix=P&from=A&to=B — keys deleted under a prefix in a window (revisions or RFC 3339 times).

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function parseFilters(search: Record<string, string | string[] | undefined>): { filters?: DeletedFilters; error?: string } {
  const filters: DeletedFilters = { prefix: single(search.prefix) ?? "/" };
  for (const name of ["from", "to"] as const) {
    const text = single(search[name]);
    if (text === undefined || text === "") continue;
    const parsed = parseRevisionOrTime(text);
    if (!parsed.ok) return { error: `"${name}" is not a revision or a time: ${parsed.message} ("${text}")` };
    filters[name] = text;
  }
  return { filters };
}

export default async function DeletedPage({ searchParams }: PageProps) {
  const { filters, error } = parseFilters(await searchParams);
  return (
    <div className="h-full overflow-auto p-4">
      {filters ? <DeletedList key={JSON.stringify(filters)} filters={filters} /> : <ErrorPanel title="Bad link">{error}</ErrorPanel>}
    </div>
  );
}
