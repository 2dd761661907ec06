// GET /api/search?prefix=P&q=Q[&rev=R | &at=T][&cursor=C][&limit=N][&stream=1][&cluster=C] — keys under P
// whose name or decoded value matches the query Q (lib/search/query.ts), read in bounded pages of
// values pinned to one revision: R, the revision at time T, the cursor's, else the current one.
// The JSON form answers one page {"items","scanned","total","next","revision"}; it closes at N
// matches or when its time or key budget is spent, and `next` (passed back as `cursor`) goes on
// from there at the same revision. With stream=1 the answer is NDJSON (one SearchStreamLineDto a
// line): "start", then each match and the progress as they come, then "end" with `next`; the scan
// stops when the client goes away. NDJSON rather than SSE: a fetch stream is cancelled by its
// reader (EventSource would reconnect and start the scan again) and needs no framing but newlines.
// A compacted revision is a 410 naming the oldest one available.
// Access: the read right on something under P, else a 403; only keys the viewer may read are
// scanned and counted. Secret values are matched masked unless the viewer may reveal them, and a
// match on a Secret read unmasked is recorded in the audit trail as a reveal.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { errorBody } from "@/lib/api/errors";
import { logFailure } from "@/lib/api/log-failure";
import { openClusterFor } from "@/lib/api/open-cluster";
import { limitParam } from "@/lib/api/params";
import { presentSearchEnd, presentSearchHit, presentSearchPage } from "@/lib/api/present-search";
import { apiRoute, asAppError, QueryParams } from "@/lib/api/route";
import type { SearchStreamLineDto } from "@/lib/api/dto";
import { recordReveal } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { decodeSearchCursor } from "@/lib/search/cursor";
import { parseSearchQuery } from "@/lib/search/query";
import { pinSearch, searchValues, visibleRanges, type SearchHit, type SearchRequest } from "@/lib/search/scan-values";

export const dynamic = "force-dynamic";

/** One JSON page: a few seconds and this many keys at most, so that no request runs unbounded. */
const PAGE_BUDGET = { ms: 4_000, keys: 50_000 };
/** The stream shows its progress, and is cancelled by its reader; still, it closes after this. */
const STREAM_BUDGET = { ms: 60_000, keys: 2_000_000 };

const encoder = new TextEncoder();

export const GET = apiRoute(async (request, access) => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const text = query.text("q") ?? "";
  const parsed = parseSearchQuery(text);
  if (!parsed.ok) throw new AppError("bad_request", `"q": ${parsed.message}`);
  const cursorText = query.text("cursor");
  const cursor = cursorText ? decodeSearchCursor(cursorText) : undefined;
  if (cursorText && !cursor) throw new AppError("bad_request", `"cursor" is not a cursor this search handed out`);
  const asked = await query.revisionOrTime("rev", "at");
  if (cursor && asked !== undefined && asked !== cursor.revision) {
    throw new AppError("bad_request", `the cursor continues a search at revision ${cursor.revision}, not ${asked}`);
  }
  const streaming = query.text("stream") === "1";
  const limit = query.parsed("limit", streaming ? limitParam(200, 1000) : limitParam(50, 500));
  const { connection, cluster } = openClusterFor(query, access);
  const visibility = access.requireSomeUnder(cluster, prefix, "read");
  const ranges = visibleRanges(prefix, visibility.kind === "some" ? visibility.prefixes : undefined);
  if (cursor && ranges.length > 0 && Buffer.compare(cursor.from, ranges[0].start) < 0) {
    throw new AppError("bad_request", `"cursor" does not belong to a search of this prefix`);
  }
  const search: SearchRequest = {
    prefix,
    terms: parsed.terms,
    ranges,
    revision: cursor?.revision ?? asked,
    cursor,
    limit,
    budget: streaming ? STREAM_BUDGET : PAGE_BUDGET,
    mayReveal: (key) => access.mayKey(cluster, key, "reveal"),
  };
  const auditReveal = (hit: SearchHit) => {
    if (!hit.revealedSecret) return;
    recordReveal(request, access.viewer, {
      cluster,
      key: hit.kv.key,
      revision: hit.kv.modRevision,
      field: hit.site.field ? [hit.site.field] : undefined,
      reason: `a search for ${JSON.stringify(text)} matched its unmasked value`,
    });
  };
  const read = <T>(work: () => Promise<T>) => readRefusingFuture(connection, { rev: search.revision }, work);
  // Pinned before anything is sent: a bad revision is a plain 400 or 410, streaming or not.
  const pinned = await read(() => pinSearch(connection, search));
  if (!streaming) {
    const page = await read(() => searchValues(connection, search, pinned));
    page.hits.forEach(auditReveal);
    return presentSearchPage(page);
  }
  const stop = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: SearchStreamLineDto) => {
        if (!stop.signal.aborted) controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      };
      send({ type: "start", revision: pinned.revision, total: pinned.total, scanned: cursor?.scanned ?? 0 });
      try {
        const page = await searchValues(
          connection,
          {
            ...search,
            signal: stop.signal,
            onHit: (hit) => {
              auditReveal(hit);
              send({ type: "hit", item: presentSearchHit(hit) });
            },
            onProgress: ({ scanned, total }) => send({ type: "progress", scanned, total }),
          },
          pinned,
        );
        send(presentSearchEnd(page));
      } catch (error) {
        const appError = asAppError(error);
        logFailure(appError);
        send({ type: "error", error: errorBody(appError).error });
      }
      if (!stop.signal.aborted) controller.close();
    },
    cancel() {
      stop.abort();
    },
  });
  request.signal.addEventListener("abort", () => stop.abort(), { once: true });
  return new Response(body, {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
