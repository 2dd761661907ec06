// GET /api/export?prefix=P[&key=K][&rev=R | &at=T][&format=yaml|jsonl|tar][&keep=status,…][&cluster=C] — the keys
// under P (or the one key K) at one revision, streamed as a download: `yaml` (default) is
// multi-document Kubernetes YAML for `kubectl apply -f`, server-populated fields stripped unless
// named in `keep` (lib/export/strip.ts); `jsonl` one JSON object a key (lib/export/render.ts);
// `tar` one file per key, paths made safe (lib/export/tar-path.ts), with EXPORT-NOTES.txt last.
// The revision is R, the time T's, else the current one, pinned before the first byte; the
// response names it in X-Etcdlens-Revision and the number of keys it will hold in
// X-Etcdlens-Total-Keys (a download cannot report a percentage; the page shows the total beside the button).
// Access: the read right on K, or on something under P (only keys the viewer may read are
// exported). Secret values are masked unless the viewer may reveal them; an export that writes a
// Secret unmasked is recorded once in the audit trail (action "export").
import { readRefusingFuture } from "@/lib/api/future-revision";
import { openClusterFor } from "@/lib/api/open-cluster";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { recordAudit, auditSubjectOf } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { streamExport, type ExportFormat } from "@/lib/export/export-stream";
import { parseKeep } from "@/lib/export/strip";
import { concatBytes, keyToDisplay } from "@/lib/keys";
import { pinSearch, visibleRanges } from "@/lib/search/scan-values";

export const dynamic = "force-dynamic";

const FORMATS: Record<ExportFormat, { type: string; extension: string }> = {
  yaml: { type: "application/yaml; charset=utf-8", extension: "yaml" },
  jsonl: { type: "application/x-ndjson; charset=utf-8", extension: "jsonl" },
  tar: { type: "application/x-tar", extension: "tar" },
};

/** A download name from the prefix's last segment: ASCII letters, digits, "-" and "_" only. */
function fileNameOf(scope: Uint8Array, revision: number, extension: string): string {
  const words = keyToDisplay(scope)
    .split("/")
    .filter((part) => part !== "")
    .slice(-2)
    .join("-")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .slice(0, 80);
  return `${words || "etcd"}-rev${revision}.${extension}`;
}

export const GET = apiRoute(async (request, access) => {
  const query = await QueryParams.read(request);
  const formatText = query.text("format") ?? "yaml";
  if (!Object.hasOwn(FORMATS, formatText))
    throw new AppError("bad_request", `"format" is yaml, jsonl or tar, not ${JSON.stringify(formatText)}`);
  const format = formatText as ExportFormat;
  const kept = parseKeep(query.text("keep"));
  if (!kept.ok) throw new AppError("bad_request", kept.message);
  const key = query.text("key") !== undefined ? query.keyOrThrow("key") : undefined;
  const prefix = query.keyOrEmpty("prefix");
  const revision = await query.revisionOrTime("rev", "at");
  const { connection, cluster } = openClusterFor(query, access);
  let ranges;
  if (key) {
    access.requireKey(cluster, key, "read");
    ranges = [{ start: key, end: concatBytes(key, Uint8Array.of(0)) }];
  } else {
    const visibility = access.requireSomeUnder(cluster, prefix, "read");
    ranges = visibleRanges(prefix, visibility.kind === "some" ? visibility.prefixes : undefined);
  }
  const scope = key ?? prefix;
  const pinned = await readRefusingFuture(connection, { rev: revision }, () => pinSearch(connection, { prefix: scope, ranges, revision }));
  const title = `${key ? "key" : "prefix"} ${JSON.stringify(keyToDisplay(scope))} of cluster ${JSON.stringify(cluster)}`;
  const body = streamExport(connection, {
    format,
    ranges,
    revision: pinned.revision,
    total: pinned.total,
    keep: kept.keep,
    mayReveal: (each) => access.mayKey(cluster, each, "reveal"),
    onReveal: (first) =>
      recordAudit({
        ...auditSubjectOf(request, access.viewer),
        action: "export",
        outcome: "allowed",
        cluster,
        prefix: scope,
        revision: pinned.revision,
        reason: `a ${format} export wrote Secret values unmasked (the first: ${keyToDisplay(first)})`,
      }),
    title,
  });
  return new Response(body, {
    headers: {
      "content-type": FORMATS[format].type,
      "content-disposition": `attachment; filename="${fileNameOf(scope, pinned.revision, FORMATS[format].extension)}"`,
      "cache-control": "no-store",
      "x-etcdlens-revision": String(pinned.revision),
      "x-etcdlens-total-keys": String(pinned.total),
      "x-accel-buffering": "no",
    },
  });
});

export const POST = GET;
