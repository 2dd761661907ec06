import { Explorer } from "@/components/explorer/explorer";
import { readViewState } from "@/components/diff/view-state";
import { ConfigurationError, getServerSettings } from "@/lib/env";
import { bytesFromText, bytesToBase64, keyFromRouteSegments } from "@/lib/keys";
import { parseRevision, parseTime } from "@/lib/params";
import { archiveNameOf, findRevisionAtTime } from "@/lib/archive/revision-times";
import { AppError } from "@/lib/errors";

// /keys/<key path>?rev=N (or at=<RFC 3339 time>: the revision then)[&compare=M&view=split|unified&noise=show&ignore=…] — the explorer. The
// path is the key (see lib/keys.ts for the encoding); the query says which revision is shown and
// what it is compared with. A bare /keys is the landing page: the cluster's defaultPrefix folder
// when one is configured, else the tree's root (also at /keys/~). Everything else is fetched by the browser from the JSON API, so that
// the page renders even when etcd does not answer and recovers when it does.

type PageProps = {
  params: Promise<{ key?: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function readRevision(raw: string | string[] | undefined): { revision?: number; error?: string } {
  if (raw === undefined || raw === "") return {};
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const parsed = parseRevision(text);
  return parsed.ok ? { revision: parsed.value } : { error: `"${text}" is not a revision: ${parsed.message}` };
}

/** `at=<RFC 3339>` instead of rev: the last revision at or before that time, which the archive knows. */
async function readRevisionAtTime(raw: string | string[] | undefined, cluster: string | string[] | undefined) {
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (!text) return {};
  const parsed = parseTime(text);
  if (!parsed.ok) return { error: `"${text}" is not a time: ${parsed.message}` };
  try {
    const name = Array.isArray(cluster) ? cluster[cluster.length - 1] : cluster;
    return { revision: (await findRevisionAtTime(archiveNameOf(name), parsed.value)).revision };
  } catch (error) {
    if (error instanceof AppError || error instanceof ConfigurationError) return { error: error.message };
    throw error;
  }
}

/** The folder a bare /keys opens: the cluster's defaultPrefix without its trailing "/", or the root. */
function readLandingKey(clusterParam: string | string[] | undefined): Uint8Array {
  const name = Array.isArray(clusterParam) ? clusterParam[clusterParam.length - 1] : clusterParam;
  let clusters;
  try {
    clusters = getServerSettings().clusters;
  } catch (error) {
    // The page still renders; the banner names the setting to fix.
    if (error instanceof ConfigurationError) return new Uint8Array(0);
    throw error;
  }
  const cluster = name ? clusters.find((entry) => entry.name === name) : clusters[0];
  return bytesFromText(cluster?.defaultPrefix?.replace(/\/+$/, "") ?? "");
}

export default async function KeyPage({ params, searchParams }: PageProps) {
  const { key: segments = [] } = await params;
  const search = await searchParams;
  const key = segments.length === 0 ? readLandingKey(search.cluster) : keyFromRouteSegments(segments);
  const { revision, error } = search.rev === undefined ? await readRevisionAtTime(search.at, search.cluster) : readRevision(search.rev);
  const view = readViewState(search, error ? undefined : revision);
  return <Explorer keyBase64={bytesToBase64(key)} revisionError={error} view={{ ...view, noiseFields: [...view.noiseFields] }} />;
}
