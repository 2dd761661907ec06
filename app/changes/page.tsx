import { ChangeFeed } from "@/components/changes/change-feed";
import { ErrorPanel } from "@/components/ui/panels";
import { parseManager, parseRevision } from "@/lib/params";
import type { ChangeFilters } from "@/lib/queries/changes";

// /changes?prefix=P&from=A&to=B&type=PUT|DELETE&contains=S&manager=M — the change feed.

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function parseFilters(search: Record<string, string | string[] | undefined>): { filters?: ChangeFilters; error?: string } {
  const revision = (name: string) => {
    const text = single(search[name]);
    if (text === undefined || text === "") return { value: undefined };
    const parsed = parseRevision(text);
    return parsed.ok ? { value: parsed.value } : { error: `"${name}" is not a revision: ${parsed.message} ("${text}")` };
  };
  const from = revision("from");
  const to = revision("to");
  const type = single(search.type);
  if (from.error || to.error) return { error: from.error ?? to.error };
  if (type !== undefined && type !== "" && type !== "PUT" && type !== "DELETE") return { error: `"type" is PUT or DELETE, not "${type}"` };
  const managerText = single(search.manager);
  const manager = managerText ? parseManager(managerText) : undefined;
  if (manager && !manager.ok) return { error: `"manager": ${manager.message}` };
  return {
    filters: {
      prefix: single(search.prefix) ?? "/",
      from: from.value,
      to: to.value,
      type: type === "PUT" || type === "DELETE" ? type : undefined,
      contains: single(search.contains) || undefined,
      manager: manager?.ok ? manager.value : undefined,
    },
  };
}

export default async function ChangesPage({ searchParams }: PageProps) {
  const { filters, error } = parseFilters(await searchParams);
  return (
    <div className="h-full overflow-auto p-4">
      {filters ? <ChangeFeed key={JSON.stringify(filters)} filters={filters} /> : <ErrorPanel title="Bad link">{error}</ErrorPanel>}
    </div>
  );
}
