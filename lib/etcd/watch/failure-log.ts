import "server-only";
// One console line per watch failure, with the cause and when the next attempt comes, so an
// operator sees what the dashboard does to etcd during an outage. During a long outage the same
// cause repeats on every attempt; such repeats are counted and said once per interval instead of
// flooding the log.

export type FailureContext = { cluster: string; purpose: string; endpoint: string };

export const REPEAT_LOG_INTERVAL_MS = 30_000;

type Last = { cause: string; printedAt: number; unprinted: number };

export class FailureLog {
  /** Per watch (cluster and purpose), the last failure said per endpoint. */
  private readonly last = new Map<string, Map<string, Last>>();
  private readonly recoverySaid = new Set<string>();

  constructor(
    private readonly write: (line: string) => void = (line) => console.warn(line),
    private readonly now: () => number = Date.now,
    private readonly intervalMs = REPEAT_LOG_INTERVAL_MS,
  ) {}

  failed(context: FailureContext, cause: string, retryInMs: number): void {
    const who = `${context.cluster}/${context.purpose}`;
    const perEndpoint = this.last.get(who) ?? new Map<string, Last>();
    this.last.set(who, perEndpoint);
    const same = comparable(cause);
    const last = perEndpoint.get(context.endpoint);
    const now = this.now();
    if (last && last.cause === same && now - last.printedAt < this.intervalMs) {
      last.unprinted += 1;
      return;
    }
    const repeats =
      last && last.cause === same && last.unprinted > 0 ? ` (the same failure ${last.unprinted} more times since the last line)` : "";
    this.write(
      `etcdlens: watch (cluster ${context.cluster}, ${context.purpose}) on ${context.endpoint} failed: ${cause}${repeats}; next attempt in ${retryInMs} ms`,
    );
    perEndpoint.set(context.endpoint, { cause: same, printedAt: now, unprinted: 0 });
    this.recoverySaid.delete(who);
  }

  /** Said once after failures were said; a watch that flaps keeps its repeats counted. */
  recovered(context: FailureContext, failures: number): void {
    const who = `${context.cluster}/${context.purpose}`;
    if (!this.last.has(who) || this.recoverySaid.has(who)) return;
    this.recoverySaid.add(who);
    this.write(
      `etcdlens: watch (cluster ${context.cluster}, ${context.purpose}) live again on ${context.endpoint} after ${failures} failed attempts`,
    );
  }
}

// gRPC messages carry timestamps and attempt details; two failures with the same cause should
// compare equal without them.
function comparable(cause: string): string {
  return cause.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, "").replace(/\d+ ms/g, "N ms");
}
