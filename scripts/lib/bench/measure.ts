import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { ETCDCTL, requireProgram } from "../system-deps";

// Timing helpers for `npm run bench`: bounded loops (a count and a time budget, whichever ends
// first), medians, and the resident memory of a process tree read from /proc.

export type Timing = { median: number; runs: number; samples: number[] };

export async function timeRuns(run: () => Promise<void>, options: { count: number; budgetMs: number; warmup?: number }): Promise<Timing> {
  for (let i = 0; i < (options.warmup ?? 1); i++) await run();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < options.count && (samples.length === 0 || performance.now() - started < options.budgetMs)) {
    const at = performance.now();
    await run();
    samples.push(performance.now() - at);
  }
  return { median: median(samples), runs: samples.length, samples };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs etcdctl as a user would: its output read by the caller (as a terminal or a pipe reads it),
 * or, with `discard`, written to /dev/null: the least a keys-only pass can cost.
 */
export function etcdctl(endpoint: string, args: string[], options: { discard?: boolean } = {}): Promise<void> {
  const binary = requireProgram(ETCDCTL, "ETCDCTL_BIN");
  const fullArgs = ["--endpoints", endpoint, "--command-timeout=300s", ...args];
  const env = { ...process.env, ETCDCTL_API: "3" };
  if (options.discard) {
    return new Promise((resolve, reject) => {
      const child = spawn(binary, fullArgs, { env, stdio: ["ignore", "ignore", "inherit"] });
      child.once("error", reject);
      child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`etcdctl exited with ${code}`))));
    });
  }
  return new Promise((resolve, reject) => {
    // etcdctl gives up after 5 s by default; a full keys-only pass of a million keys takes longer.
    const child = execFile(binary, fullArgs, { env, maxBuffer: 1024 * 1024 * 1024, encoding: "buffer" }, (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.end();
  });
}

export async function fetchOk(url: string): Promise<unknown> {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Resident memory, in bytes, of a process and all its descendants. */
export function treeRss(rootPid: number): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += rss.get(pid) ?? 0;
    for (const [child, parent] of parents) if (parent === pid) pending.push(child);
  }
  return total;
}
