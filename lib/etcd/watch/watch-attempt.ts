import "server-only";
import type { EventEmitter } from "node:events";
import type { IWatchResponse } from "etcd3";
import type { ClusterConnection } from "../client";
import { FragmentAssembler, groupByRevision, type RevisionBatch } from "./revision-batches";
import type { StreamSlot } from "./stream-budget";
import type { KeyRange } from "./watch-change";

// One watch stream on one endpoint, from open to cancel: the only code that opens an etcd watch.
// The raw stream is used rather than etcd3's Watcher, which resumes from the store's current
// revision after a reconnect (skipping events) and never reports compact_revision.
//
// etcd3 opens a stream on a dead or frozen host without noticing: the failure shows only as an
// error on the stream, or as silence. So a create that is not answered, or a progress request on
// a quiet stream that is not answered, within the stall deadline ends the attempt. Whatever ends
// it (error, end, cancel, stall, compaction, or both error and end of one stream) ends it once:
// its listeners are detached, the stream is cancelled, and only then is its budget slot given back.
// etcd tears a cancelled stream down a moment after the client has let go of it; the slot is
// kept that moment longer, so that etcd's own count of our streams stays within the budget too.

/** How long a slot stays taken after its stream was cancelled, for etcd to close its side. */
const TEARDOWN_MS = 150;

export type AttemptRequest = { range: KeyRange; startRevision: number; prevKv?: boolean };

export type AttemptListener = {
  created?: () => void;
  /** Whole revisions, in order; a fragmented revision only once all of it has arrived. */
  batches: (batches: RevisionBatch[]) => void;
  /** Any answer at all (created, events, progress). */
  answered?: () => void;
};

export type AttemptEnd =
  { kind: "failed"; cause: string; healthyForMs: number } | { kind: "compacted"; compactRevision: number } | { kind: "stopped" };

export type AttemptTiming = { stallMs: number; progressMs: number };

type RawWatchStream = Awaited<ReturnType<ClusterConnection["client"]["watchClient"]["watch"]>>;

/** The endpoint a given attempt number goes to, and a client bound to it. */
export function endpointFor(connection: ClusterConnection, attempt: number): { endpoint: string; client: ClusterConnection["client"] } {
  const endpoints = connection.settings.endpoints;
  const endpoint = endpoints[attempt % endpoints.length];
  return { endpoint, client: endpoints.length === 1 ? connection.client : connection.forEndpoint(endpoint) };
}

export class WatchAttempt {
  readonly ended: Promise<AttemptEnd>;
  readonly endpoint: string;
  readonly assembler = new FragmentAssembler();
  private settle!: (end: AttemptEnd) => void;
  private stream: RawWatchStream | null = null;
  private done = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private createdAt = 0;
  private answeredSince = 0;
  private readonly onData = (response: IWatchResponse) => this.receive(response);
  private readonly onError = (error: Error) => this.fail(error.message || "the watch stream failed");
  private readonly onEnd = () => this.fail("etcd closed the watch stream");

  constructor(
    connection: ClusterConnection,
    attempt: number,
    private readonly slot: StreamSlot,
    private readonly request: AttemptRequest,
    private readonly listener: AttemptListener,
    private readonly timing: AttemptTiming,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
    const { endpoint, client } = endpointFor(connection, attempt);
    this.endpoint = endpoint;
    this.armStall("no answer to opening the watch");
    client.watchClient.watch().then(
      (stream) => this.opened(stream),
      (error: unknown) => {
        this.slot.release();
        this.fail(error instanceof Error ? error.message : String(error));
      },
    );
  }

  get isCreated(): boolean {
    return this.createdAt > 0;
  }

  /** Ends the attempt on the consumer's behalf (its range is read, or it stops watching). */
  stop(): void {
    this.finish({ kind: "stopped" });
  }

  private opened(stream: RawWatchStream): void {
    if (this.done) {
      // Given up on before etcd3 handed the stream over: it still has to be closed.
      closeStream(stream, this);
      releaseAfterTeardown(this.slot);
      return;
    }
    this.stream = stream;
    stream.on("data", this.onData);
    stream.on("error", this.onError);
    stream.on("end", this.onEnd);
    this.armStall("no answer to the watch's create request");
    this.write({
      create_request: {
        key: this.request.range.key,
        range_end: this.request.range.rangeEnd,
        start_revision: this.request.startRevision,
        prev_kv: this.request.prevKv ?? false,
        fragment: true,
      },
    });
  }

  private receive(response: IWatchResponse): void {
    if (this.done) return;
    this.quietened();
    const compactRevision = Number(response.compact_revision ?? 0);
    if (compactRevision > 0) return this.finish({ kind: "compacted", compactRevision });
    if (response.canceled) return this.fail(`etcd cancelled the watch: ${response.cancel_reason || "no reason given"}`);
    if (response.created) {
      this.createdAt = Date.now();
      this.listener.created?.();
      this.listener.answered?.();
      return;
    }
    this.answeredSince ||= Date.now();
    this.listener.answered?.();
    const events = this.assembler.add(response);
    if (events === null || events.length === 0) return;
    this.listener.batches(groupByRevision(events));
  }

  /** An answer came: the stream is alive. It is asked for progress once it has been quiet a while. */
  private quietened(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.armStall(`no answer to a progress request within ${this.timing.stallMs} ms`);
      this.write({ progress_request: {} });
    }, this.timing.progressMs);
    this.idleTimer.unref();
  }

  private armStall(cause: string): void {
    clearTimeout(this.stallTimer);
    const message = cause.includes(" ms") ? cause : `${cause} within ${this.timing.stallMs} ms`;
    this.stallTimer = setTimeout(() => this.fail(message), this.timing.stallMs);
    this.stallTimer.unref();
  }

  private write(request: Parameters<RawWatchStream["write"]>[0]): void {
    try {
      this.stream?.write(request);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : "writing to the watch stream failed");
    }
  }

  private fail(cause: string): void {
    // Healthy: created and answering since; only such a stream resets the backoff.
    const healthyForMs = this.createdAt && this.answeredSince ? Date.now() - this.answeredSince : 0;
    this.finish({ kind: "failed", cause, healthyForMs });
  }

  private finish(end: AttemptEnd): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.stallTimer);
    clearTimeout(this.idleTimer);
    if (this.stream) {
      closeStream(this.stream, this);
      this.stream = null;
      releaseAfterTeardown(this.slot);
    }
    this.settle(end);
  }

  /** Detaches this attempt's listeners (used by closeStream). */
  detach(stream: RawWatchStream): void {
    const emitter = stream as unknown as EventEmitter;
    emitter.off("data", this.onData);
    emitter.off("error", this.onError);
    emitter.off("end", this.onEnd);
  }
}

function releaseAfterTeardown(slot: StreamSlot): void {
  setTimeout(() => slot.release(), TEARDOWN_MS).unref();
}

function closeStream(stream: RawWatchStream, attempt: WatchAttempt): void {
  attempt.detach(stream);
  // An error after cancel (the server may already be gone) is expected and not interesting.
  stream.on("error", () => undefined);
  try {
    stream.cancel();
  } catch {
    // Already closed: nothing to release.
  }
}
