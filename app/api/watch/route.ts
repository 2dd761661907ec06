// GET /api/watch?prefix=P[&fromRevision=R][&cluster=NAME] — server-sent events for every change
// under P after R (or after the Last-Event-ID header, or from now); served from the cluster's one
// etcd watch (lib/etcd/watch) however many prefixes and browsers are watched. Access: the list
// right on something under P, refused with a 403 before the stream opens; each subscriber gets only
// the changes to keys it may list (the hub serves every subscriber of a prefix alike, so the filter
// is per subscriber, here).
import { refuseFutureRevisionsNow } from "@/lib/api/future-revision";
import { revisionOrThrow } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { getWatchHub, type HubMessage, type WatchSubscription } from "@/lib/etcd/watch-hub";
import { encodeMessage } from "./sse";

export const dynamic = "force-dynamic";

// A subscriber with more than this queued (the browser or network is not keeping up) is dropped
// and reconnects with Last-Event-ID; what it missed comes from the hub's ring or etcd's history.
const MAX_QUEUED_BYTES = 1024 * 1024;

function readLastEventId(request: Request): number | undefined {
  const header = request.headers.get("last-event-id");
  if (header === null || header.trim() === "") return undefined;
  return revisionOrThrow("Last-Event-ID", header.trim());
}

/** The message as this subscriber may see it: changes to keys it may not list left out; null when none is left. */
function visibleTo(message: HubMessage, visible: ((key: Uint8Array) => boolean) | undefined): HubMessage | null {
  if (!visible || message.kind !== "changes") return message;
  const changes = message.changes.filter((change) => visible(change.key));
  return changes.length === 0 ? null : { kind: "changes", changes };
}

export const GET = apiRoute(async (request, access) => {
  const query = new QueryParams(request);
  const { connection, cluster } = openClusterFor(query, access);
  const prefix = query.keyOrEmpty("prefix");
  access.requireSomeUnder(cluster, prefix, "list");
  const visible = access.keyFilter(cluster, prefix, "list");
  const fromRevision = query.revision("fromRevision");
  const lastEventId = readLastEventId(request);
  // A watch from a revision etcd has not reached would wait in silence; refuse it as every route does.
  await callEtcd(connection, () => refuseFutureRevisionsNow(connection, { fromRevision, "Last-Event-ID": lastEventId }));
  // A reconnecting EventSource repeats the URL it started with; its Last-Event-ID is newer.
  const resumeAfter = lastEventId ?? fromRevision;

  let subscription: WatchSubscription | null = null;
  let finished = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const finish = () => {
    if (finished) return;
    finished = true;
    subscription?.close();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (streamController) => {
        controller = streamController;
      },
      cancel: finish,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );

  subscription = await getWatchHub(connection, prefix).subscribe(
    {
      send: (sent) => {
        if (finished) return true;
        const message = visibleTo(sent, visible);
        if (!message) return true;
        // Judged before the message is queued: one revision larger than the bound (a big
        // transaction) still goes to a subscriber that is keeping up.
        const keepingUp = (controller.desiredSize ?? 0) > -MAX_QUEUED_BYTES;
        controller.enqueue(encodeMessage(message));
        return keepingUp;
      },
      dropped: (reason) => {
        if (finished) return;
        finished = true;
        // Erroring (not closing) the stream discards its queue at once instead of keeping it for a
        // reader that is not reading.
        controller.error(new Error(`watch stream dropped: ${reason}`));
      },
    },
    resumeAfter,
  );
  if (request.signal.aborted) finish();
  request.signal.addEventListener("abort", finish, { once: true });

  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
    },
  });
});
