import { ChangeFeed } from "@/components/changes/change-feed";
import { ErrorPanel } from "@/components/ui/panels";
import { parseManager, parseRevisionOrTime } from "@/lib/params";
import type { ChangeFilters } from "@/lib/queries/changes";

// /changes?prefix=P&from=A&to=B&type=PUT|DELETE&contains=S&manager=M — the change feed; from and
// to are revisions or RFC 3339 times (everything that changed between 10:00 and 10:05).

type PageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function parseFilters(search: Record<string, string | string[] | undefined>): { filters?: ChangeFilters; error?: string } {
  // A bound is a revision or an RFC 3339 time (kept as the instant it names).
  const revision = (name: string): { value?: number; time?: string; error?: string } => {
    const text = single(search[name]);
    if (text === undefined || text === "") return {};
    const parsed = parseRevisionOrTime(text);
    if (!parsed.ok) return { error: `"${name}" is not a revision or a time: ${parsed.message} ("${text}")` };
    return "revision" in parsed.value ? { value: parsed.value.revision } : { time: new Date(parsed.value.time).toISOString() };
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
      since: from.time,
      until: to.time,
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
