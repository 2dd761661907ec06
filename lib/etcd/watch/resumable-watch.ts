import "server-only";
import type { ClusterConnection } from "../client";
import { backoffDelayMs, failureRounds } from "./backoff";
import { watchesOf, type ClusterWatches, type WatchReport, type WatchState } from "./cluster-watches";
import { noteCompactRevision } from "./known-compaction";
import { readCurrentRevision } from "./current-revision";
import type { RevisionBatch } from "./revision-batches";
import { watchSettings } from "./settings";
import type { WatchPurpose } from "./stream-budget";
import { WatchAttempt, endpointFor } from "./watch-attempt";
import type { KeyRange } from "./watch-change";

// A watch that outlives its streams: it delivers every revision after `after` exactly once, in
// order, whatever happens to the stream carrying it. One attempt runs at a time; when it fails the
// next waits a backoff (full jitter, doubling, capped), goes to the next endpoint and resumes
// from the last delivered revision + 1. A resume point etcd has compacted is reported with the
// compaction revision, and the watch goes on from there.
//
// A long backoff would keep the watch down well after etcd is back, so while it waits it asks
// etcd for its revision (one cheap unary read at a time, every few seconds) and tries again as
// soon as etcd, having not answered, answers again. (A watch that fails while etcd answers keeps
// its backoff.)

/** While a backoff is longer than this, etcd is asked this often whether it is back. */
const REACHABILITY_CHECK_MS = 2_000;
const TRANSPORT_FAILURE = /UNAVAILABLE|no answer|closed the watch stream/i;

export type ResumableWatchOptions = {
  purpose: WatchPurpose;
  range: KeyRange;
  /** Revisions after this one are delivered. */
  after: number;
  onBatch: (batch: RevisionBatch) => void;
  /** Revisions after `lastDelivered` and before `compactRevision` are gone; delivery goes on from it. */
  onCompacted: (compactRevision: number) => void;
  onState?: (state: WatchState) => void;
};

export class ResumableWatch {
  private revision: number;
  private stateNow: WatchState = { state: "connecting" };
  private attempt: WatchAttempt | null = null;
  private attemptNumber: number;
  private failures = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private lastError: string | null = null;
  private reconnects = 0;
  private fragmentsReassembled = 0;
  /** etcd was out of reach (by a failure's cause or a check) since the watch was last live. */
  private etcdWasUnreachable = false;
  private readonly watches: ClusterWatches;
  private readonly reporter = () => this.report();

  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: ResumableWatchOptions,
  ) {
    this.revision = options.after;
    this.watches = watchesOf(connection);
    // Spread watches of several processes or clusters over the members.
    this.attemptNumber = Math.floor(Math.random() * connection.settings.endpoints.length);
  }

  get lastRevision(): number {
    return this.revision;
  }

  get state(): WatchState {
    return this.stateNow;
  }

  get endpoint(): string | null {
    return this.attempt?.endpoint ?? null;
  }

  get reconnectCount(): number {
    return this.reconnects;
  }

  start(): void {
    this.watches.reporters.add(this.reporter);
    void this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watches.reporters.delete(this.reporter);
    this.attempt?.stop();
    this.wake?.();
    this.setState({ state: "stopped" });
  }

  report(): WatchReport {
    return {
      purpose: this.options.purpose,
      state: this.stateNow,
      endpoint: this.endpoint,
      revision: this.revision,
      reconnects: this.reconnects,
      lastError: this.lastError,
      fragmentsReassembled: this.fragmentsReassembled + (this.attempt?.assembler.reassembled ?? 0),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let slot;
      try {
        slot = await this.watches.budget.acquire(this.options.purpose, watchSettings.stallMs);
      } catch (error) {
        // Only possible if two watches of one purpose ran at once; wait and try again.
        await this.failed(
          error instanceof Error ? error.message : String(error),
          0,
          endpointFor(this.connection, this.attemptNumber).endpoint,
        );
        continue;
      }
      if (this.stopped) {
        slot.release();
        return;
      }
      const attempt = new WatchAttempt(
        this.connection,
        this.attemptNumber,
        slot,
        { range: this.options.range, startRevision: this.revision + 1 },
        {
          created: () => this.created(attempt),
          batches: (batches) => this.deliver(batches),
        },
        { stallMs: watchSettings.stallMs, progressMs: watchSettings.progressMs },
      );
      this.attempt = attempt;
      const end = await attempt.ended;
      this.fragmentsReassembled += attempt.assembler.reassembled;
      this.attempt = null;
      if (this.stopped || end.kind === "stopped") return;
      if (end.kind === "compacted") {
        noteCompactRevision(this.connection, end.compactRevision);
        this.revision = Math.max(this.revision, end.compactRevision - 1);
        this.options.onCompacted(end.compactRevision);
        continue;
      }
      await this.failed(end.cause, end.healthyForMs, attempt.endpoint);
    }
  }

  private created(attempt: WatchAttempt): void {
    if (this.attempt !== attempt) return;
    const failures = this.failures;
    if (failures > 0) this.watches.log.recovered(this.context(attempt.endpoint), failures);
    this.etcdWasUnreachable = false;
    this.setState({ state: "live", since: Date.now() });
  }

  private deliver(batches: RevisionBatch[]): void {
    for (const batch of batches) {
      // A resumed stream may repeat a revision already delivered.
      if (batch.revision <= this.revision) continue;
      this.revision = batch.revision;
      this.options.onBatch(batch);
    }
  }

  private async failed(cause: string, healthyForMs: number, endpoint: string): Promise<void> {
    if (this.stopped) return;
    if (healthyForMs >= watchSettings.healthyAfterMs) this.failures = 0;
    this.failures += 1;
    this.reconnects += 1;
    this.attemptNumber += 1;
    this.lastError = cause;
    // gRPC's UNAVAILABLE, a stall or a stream closed under us: etcd itself was out of reach.
    if (TRANSPORT_FAILURE.test(cause)) this.etcdWasUnreachable = true;
    const rounds = failureRounds(this.failures, this.connection.settings.endpoints.length);
    const delay = backoffDelayMs(rounds, { baseMs: watchSettings.backoffBaseMs, capMs: watchSettings.backoffCapMs });
    this.watches.log.failed(this.context(endpoint), cause, delay);
    this.setState({ state: "reconnecting", lastError: cause, nextRetryAt: Date.now() + delay, failures: this.failures });
    let waiting = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (delay > REACHABILITY_CHECK_MS) void this.wakeWhenReachable(() => waiting);
    });
    waiting = false;
    this.wake = null;
  }

  private async wakeWhenReachable(waiting: () => boolean): Promise<void> {
    while (waiting() && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, REACHABILITY_CHECK_MS).unref());
      if (!waiting() || this.stopped) return;
      const reachable = await readCurrentRevision(this.connection).then(
        () => true,
        () => false,
      );
      if (!reachable) {
        this.etcdWasUnreachable = true;
        continue;
      }
      if (this.etcdWasUnreachable && waiting()) this.wake?.();
      return;
    }
  }

  private setState(state: WatchState): void {
    this.stateNow = state;
    this.options.onState?.(state);
  }

  private context(endpoint: string) {
    return { cluster: this.watches.name, purpose: this.options.purpose, endpoint };
  }
}
