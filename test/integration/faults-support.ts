import type { WatchEventDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { openWatch, type SseEvent, type SseStream } from "./watch-sse";

export { expectIndexMatchesScan } from "./folder-scan";

// What the fault tests do to etcd and how they measure it from outside: etcd's own Prometheus
// /metrics on its client URL (the gauges etcd keeps of open watch streams and watchers, and its
// resident memory), sampled while the dashboard recovers.

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops etcd, keeps it down for `ms`, then starts it again on the same data dir and ports. */
export async function stopFor(etcd: EtcdProcess, ms: number): Promise<void> {
  await etcd.stop();
  await sleep(ms);
  await etcd.restart();
}

/**
 * Stops the process without closing a socket (SIGSTOP): connections stay open and the kernel
 * keeps accepting on them, but nothing answers — the member that hangs rather than fails.
 */
export function freeze(etcd: EtcdProcess): void {
  process.kill(requirePid(etcd), "SIGSTOP");
}

export function thaw(etcd: EtcdProcess): void {
  process.kill(requirePid(etcd), "SIGCONT");
}

/** Thaws every member that may still be frozen; for afterAll, where a failed test left one so. */
export function thawAll(members: (EtcdProcess | undefined)[]): void {
  for (const member of members) {
    const pid = member?.pid();
    if (!pid) continue;
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // Already gone: nothing to resume.
    }
  }
}

function requirePid(etcd: EtcdProcess): number {
  const pid = etcd.pid();
  if (!pid) throw new Error(`etcd at ${etcd.endpoint} is not running`);
  return pid;
}

/** Metric name → value, summed over label sets (the gauges read here have none or one). */
export type Metrics = Map<string, number>;

export function parseMetrics(text: string): Metrics {
  const metrics: Metrics = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (Number.isNaN(value)) continue;
    metrics.set(match[1], (metrics.get(match[1]) ?? 0) + value);
  }
  return metrics;
}

/** etcd's /metrics, read over plain HTTP on its client URL (the test members serve no TLS). */
export async function readMetrics(etcd: EtcdProcess, timeoutMs = 2_000): Promise<Metrics> {
  const response = await fetch(`${etcd.endpoint}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${etcd.endpoint}/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

export const WATCH_STREAMS = "etcd_debugging_mvcc_watch_stream_total";
export const WATCHERS = "etcd_debugging_mvcc_watcher_total";
export const ETCD_RSS = "process_resident_memory_bytes";

export type Sampled = {
  /** The largest value each metric took over the samples that were read. */
  max: Record<string, number>;
  /** The last value read of each metric. */
  last: Record<string, number>;
  /** The largest resident memory of this (the dashboard's) process over the period. */
  maxOwnRss: number;
  samples: number;
  /** Samples no member answered (while etcd starts, or frozen). */
  missed: number;
  /** Set when a sample crossed `stopAbove`: sampling stopped early. */
  stoppedEarly?: string;
};

/**
 * Reads etcd's /metrics of every member every `everyMs` for `forMs`, summing the members, and
 * keeps the maximum of each named metric. `stopAbove` ends the sampling at the first sample past
 * a limit: a storm of watch streams grows etcd by gigabytes within seconds, on a machine others
 * share, and one sample past the ceiling already decides the test.
 */
export async function sampleMax(
  members: EtcdProcess[],
  names: string[],
  options: { everyMs: number; forMs: number; stopAbove?: Record<string, number>; ownRssAbove?: number },
): Promise<Sampled> {
  const max: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  const last: Record<string, number> = {};
  let maxOwnRss = process.memoryUsage().rss;
  let samples = 0;
  let missed = 0;
  const end = Date.now() + options.forMs;
  while (Date.now() < end) {
    const started = Date.now();
    maxOwnRss = Math.max(maxOwnRss, process.memoryUsage().rss);
    // A member that is down has no streams to count: the sample sums the members that answered.
    const settled = await Promise.allSettled(members.map((member) => readMetrics(member, Math.max(options.everyMs, 1_000))));
    const read = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    if (read.length > 0) {
      samples += 1;
      for (const name of names) {
        const value = read.reduce((sum, metrics) => sum + (metrics.get(name) ?? 0), 0);
        last[name] = value;
        max[name] = Math.max(max[name], value);
      }
    } else {
      missed += 1;
    }
    const over = Object.entries(options.stopAbove ?? {}).find(([name, limit]) => (last[name] ?? 0) > limit);
    if (over) return { max, last, maxOwnRss, samples, missed, stoppedEarly: `${over[0]} reached ${last[over[0]]}` };
    if (options.ownRssAbove && maxOwnRss > options.ownRssAbove) {
      return { max, last, maxOwnRss, samples, missed, stoppedEarly: `this process grew to ${mb(maxOwnRss)}` };
    }
    await sleep(Math.max(0, options.everyMs - (Date.now() - started)));
  }
  return { max, last, maxOwnRss, samples, missed };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * A subscriber to GET /api/watch that behaves like the browser's EventSource: when the stream ends
 * it opens it again after the retry delay with Last-Event-ID, so it resumes after the last event it
 * saw. Collects change events and every other event by type, in the background.
 */
export class LiveSubscriber {
  readonly changes: WatchEventDto[] = [];
  readonly others: SseEvent[] = [];
  reopened = 0;
  /** The revision the first `ready` event named. */
  ready = 0;
  private running = true;
  private stream: SseStream | undefined;
  private readonly done: Promise<void>;

  private constructor(
    private readonly query: string,
    first: SseStream,
  ) {
    this.stream = first;
    this.done = this.follow();
  }

  /** Opens the stream and waits for its `ready` event. */
  static async open(query: string): Promise<LiveSubscriber> {
    const stream = await openWatch(query);
    const ready = await stream.nextOf(["ready"]);
    const subscriber = new LiveSubscriber(query, stream);
    subscriber.ready = JSON.parse(ready.data).revision;
    return subscriber;
  }

  /** Every event type seen besides changes, in order. */
  eventTypes(): string[] {
    return this.others.map((event) => event.event);
  }

  async waitForChange(revision: number, timeoutMs: number): Promise<WatchEventDto | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.changes.find((change) => change.revision >= revision);
      if (found || Date.now() > deadline) return found;
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    this.running = false;
    await this.stream?.close();
    await this.done;
  }

  private async follow(): Promise<void> {
    let lastEventId: string | undefined;
    while (this.running) {
      const stream = this.stream;
      if (stream) {
        const event = await stream.next(60_000).catch(() => null);
        if (event) {
          if (event.event === "message") this.changes.push(JSON.parse(event.data) as WatchEventDto);
          else if (event.event !== "progress") this.others.push(event);
          lastEventId = stream.lastEventId ?? lastEventId;
          continue;
        }
        this.stream = undefined;
      }
      if (!this.running) return;
      // EventSource's retry delay as the server sets it (sse.ts), then the same URL again.
      await sleep(2_000);
      this.stream = await openWatch(this.query, lastEventId ? { "last-event-id": lastEventId } : {}).catch(() => undefined);
      this.reopened += 1;
    }
  }
}
