import "server-only";
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS } from "./backoff";

// The watch module's timing, in one place. Tests shorten it with configureWatches().

export type WatchSettings = {
  /** A stream that does not answer its create or a progress request within this is dead. */
  stallMs: number;
  /** A live stream that has said nothing for this long is asked for progress. */
  progressMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A stream answered for this long counts as healthy: the next failure backs off from the start. */
  healthyAfterMs: number;
  /** How long the cluster feed keeps its stream after its last consumer left. */
  feedGraceMs: number;
};

export const watchSettings: WatchSettings = {
  stallMs: 10_000,
  progressMs: 5_000,
  backoffBaseMs: BACKOFF_BASE_MS,
  backoffCapMs: BACKOFF_CAP_MS,
  healthyAfterMs: 10_000,
  feedGraceMs: 10_000,
};

/** Changes the watch timing (tests shorten it); applies from the next attempt on. */
export function configureWatches(changes: Partial<WatchSettings>): void {
  Object.assign(watchSettings, changes);
}
