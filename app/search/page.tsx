import { SearchView } from "@/components/search/search-view";
import { ErrorPanel } from "@/components/ui/panels";
import { parseRevision, parseTime } from "@/lib/params";
import type { SearchParams } from "@/lib/queries/search";

// /search?prefix=P&q=Q[&rev=R | &at=T] — keys under P whose name or decoded value matches Q, streamed
// in as they are found; the URL reproduces the search.

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function parseSearch(search: Record<string, string | string[] | undefined>): { params: Partial<SearchParams>; error?: string } {
  const params: Partial<SearchParams> = { prefix: single(search.prefix) ?? "/", q: single(search.q) ?? "" };
  const rev = single(search.rev);
  const at = single(search.at);
  if (rev && at) return { params, error: 'give "rev" or "at", not both' };
  if (rev) {
    const parsed = parseRevision(rev);
    if (!parsed.ok) return { params, error: `"rev": ${parsed.message} ("${rev}")` };
    params.rev = parsed.value;
  }
  if (at) {
    const parsed = parseTime(at);
    if (!parsed.ok) return { params, error: `"at": ${parsed.message} ("${at}")` };
    params.at = at;
  }
  return { params };
}

export default async function SearchPage({ searchParams }: PageProps) {
  const { params, error } = parseSearch(await searchParams);
  return (
    <div className="h-full overflow-auto p-4">
      {error ? <ErrorPanel title="Bad link">{error}</ErrorPanel> : <SearchView key={JSON.stringify(params)} initial={params} />}
    </div>
  );
}
