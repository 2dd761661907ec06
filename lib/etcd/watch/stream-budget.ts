import "server-only";
import { AppError } from "@/lib/errors";

// The hard ceiling on etcd watch streams per cluster. etcd3's watchClient.watch() opens a new
// gRPC stream on every call, and etcd keeps memory per stream (counted on its /metrics as
// etcd_debugging_mvcc_watch_stream_total, apart from the watchers inside them), so the number of
// streams is what the dashboard must bound, whatever etcd or the browsers do. Every stream is
// opened with a slot of this budget and gives it back only once it is cancelled: a retry cannot
// open its stream before the one it replaces is gone.

export type WatchPurpose = "feed" | "replay" | "archive";

/**
 * Streams per purpose: the one live whole-keyspace feed every hub and the folder index consume,
 * two bounded replays (history, the change feed, catch-ups, the compaction probe), and one kept
 * for the history archive recorder.
 */
export const STREAMS_PER_PURPOSE: Readonly<Record<WatchPurpose, number>> = { feed: 1, replay: 2, archive: 1 };

/** The most watch streams the dashboard holds on one cluster at any moment. */
export const MAX_WATCH_STREAMS_PER_CLUSTER = 4;

/** Replays waiting for a slot beyond this are refused at once rather than queued. */
export const MAX_WAITING_PER_PURPOSE = 32;

export type StreamSlot = { readonly purpose: WatchPurpose; release: () => void };

type Waiter = { grant: (slot: StreamSlot) => void; refuse: (error: Error) => void; timer?: NodeJS.Timeout };

export class StreamBudget {
  private readonly inUse: Record<WatchPurpose, number> = { feed: 0, replay: 0, archive: 0 };
  private readonly queues: Record<WatchPurpose, Waiter[]> = { feed: [], replay: [], archive: [] };
  /** Requests turned away because the queue was full or their wait ran out. */
  refused = 0;

  constructor(
    private readonly limits: Readonly<Record<WatchPurpose, number>> = STREAMS_PER_PURPOSE,
    private readonly maxWaiting = MAX_WAITING_PER_PURPOSE,
  ) {}

  /** Slots held now, per purpose. */
  held(): Record<WatchPurpose, number> {
    return { ...this.inUse };
  }

  waiting(purpose: WatchPurpose): number {
    return this.queues[purpose].length;
  }

  /**
   * A slot for one stream of `purpose`: at once when one is free, else after the streams before
   * it; refused (etcd_unavailable) when too many wait already or none frees up within `waitMs`.
   */
  acquire(purpose: WatchPurpose, waitMs: number): Promise<StreamSlot> {
    if (this.inUse[purpose] < this.limits[purpose]) return Promise.resolve(this.grant(purpose));
    const queue = this.queues[purpose];
    if (queue.length >= this.maxWaiting) {
      this.refused += 1;
      return Promise.reject(busy(purpose));
    }
    return new Promise<StreamSlot>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, refuse: reject };
      waiter.timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at < 0) return;
        queue.splice(at, 1);
        this.refused += 1;
        reject(busy(purpose));
      }, waitMs);
      waiter.timer.unref?.();
      queue.push(waiter);
    });
  }

  private grant(purpose: WatchPurpose): StreamSlot {
    this.inUse[purpose] += 1;
    let released = false;
    return {
      purpose,
      release: () => {
        if (released) return;
        released = true;
        this.inUse[purpose] -= 1;
        const next = this.queues[purpose].shift();
        if (!next) return;
        clearTimeout(next.timer);
        next.grant(this.grant(purpose));
      },
    };
  }
}

function busy(purpose: WatchPurpose): AppError {
  return new AppError(
    "etcd_unavailable",
    `the server is already reading from etcd for as many ${purpose} requests as it allows at once; try again shortly`,
  );
}
