import "server-only";
// How long a watch waits before its next attempt: exponential backoff with full jitter. After an
// outage every stream of every dashboard would otherwise come back at the same instant; drawing
// the wait uniformly from [0, ceiling) spreads them out, and the cap bounds how late a recovered
// etcd is noticed.

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 30_000;

export type BackoffOptions = { baseMs: number; capMs: number };

/** The ceiling of the wait after `failures` failures in a row: base, doubling, capped. */
export function backoffCeilingMs(failures: number, options: BackoffOptions): number {
  if (failures <= 0) return 0;
  // 2^30 already exceeds any cap; the exponent is bounded so a long outage cannot overflow it.
  return Math.min(options.capMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
}

/** The wait before the next attempt after `failures` failures in a row (0 before any failure). */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(failures, options));
}

/**
 * Failures counted in rounds over the cluster's endpoints: a member that died is followed by an
 * attempt on the next one after the shortest wait, and the wait grows only once every endpoint
 * has failed in turn. With one endpoint every failure is a round.
 */
export function failureRounds(failures: number, endpoints: number): number {
  return Math.ceil(failures / Math.max(1, endpoints));
}
