import { Explorer } from "@/components/explorer/explorer";
import { readViewState } from "@/components/diff/view-state";
import { revisionParam } from "@/lib/api/params";
import { bytesToBase64, keyFromRouteSegments } from "@/lib/keys";

// /keys/<key path>?rev=N[&compare=M&view=split|unified&noise=show&ignore=…] — the explorer. The
// path is the key (see lib/keys.ts for the encoding); the query says which revision is shown and
// what it is compared with. Everything else is fetched by the browser from the JSON API, so that
// the page renders even when etcd does not answer and recovers when it does.

type PageProps = {
  params: Promise<{ key?: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function parseRevision(raw: string | string[] | undefined): { revision?: number; error?: string } {
  if (raw === undefined || raw === "") return {};
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const parsed = revisionParam.safeParse(text);
  if (!parsed.success) return { error: `"${text}" is not a revision: ${parsed.error.issues[0]?.message ?? "invalid value"}` };
  return { revision: parsed.data };
}

export default async function KeyPage({ params, searchParams }: PageProps) {
  const { key: segments = [] } = await params;
  const search = await searchParams;
  const key = keyFromRouteSegments(segments);
  const { revision, error } = parseRevision(search.rev);
  const view = readViewState(search, error ? undefined : revision);
  return <Explorer keyBase64={bytesToBase64(key)} revisionError={error} view={{ ...view, noiseFields: [...view.noiseFields] }} />;
}
