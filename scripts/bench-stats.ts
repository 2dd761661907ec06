// npm run bench:stats — the folder index's space and churn figures on the `npm run bench:seed`
// keyspace (ETCDCTL_ENDPOINTS, read only): the keys-only build, then the sizing pass that reads
// every value's length (time, keys/s, MB/s of values, the size table's memory and the heap it
// added), then GET /api/stats for /registry/ and /registry/events/ through the route handler
// in-process, beside etcdctl's count of the same prefixes (--limit 1 -w json; etcdctl 3.4 has no --count-only) (which gives keys, not bytes).
// npm run bench runs it and adds its lines to its notes. lib/etcd is server-only: tsx with
// --conditions=react-server (see package.json).
import { performance } from "node:perf_hooks";
import { GET as getStats } from "@/app/api/stats/route";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { etcdctl, timeRuns, type Timing } from "./lib/bench/measure";

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

async function main() {
  const endpoint = process.env.ETCDCTL_ENDPOINTS;
  if (!endpoint) throw new Error("bench:stats reads the bench keyspace at ETCDCTL_ENDPOINTS (npm run bench:seed fills one)");
  const index = getFolderIndex(getCluster());
  const before = heapUsed();
  const buildStarted = performance.now();
  for (;;) {
    if (await index.acquire({ buildWaitMs: 600_000, catchUpMs: 10_000 })) break;
  }
  const builtMs = performance.now() - buildStarted;
  const afterBuild = heapUsed();
  const sizingStarted = performance.now();
  while (index.sizingStatus().state !== "ready") {
    if (performance.now() - sizingStarted > 900_000) throw new Error("the sizing pass did not end within 15 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sizingMs = performance.now() - sizingStarted;
  const sizing = index.sizingStatus();
  const afterSizing = heapUsed();
  const status = index.status();
  const keys = status.state === "ready" ? status.keys : 0;
  const valueBytes = (await (await getStats(new Request("http://127.0.0.1/api/stats?prefix="))).json()).keyspace.bytes as number;

  const lines = [
    `keys-only build: ${keys.toLocaleString("en-US")} keys in ${ms(builtMs)}; tree ${mb(afterBuild - before)} of heap${(globalThis as { gc?: unknown }).gc ? "" : " (without --expose-gc: rough)"}`,
    `sizing pass: ${sizing.sized.toLocaleString("en-US")} keys, ${mb(valueBytes)} of values in ${ms(sizingMs)} (${Math.round(sizing.sized / (sizingMs / 1000)).toLocaleString("en-US")} keys/s, ${(valueBytes / 1e6 / (sizingMs / 1000)).toFixed(1)} MB/s of values), ${sizing.failures} pages retried`,
    `size table: ${mb(sizing.tableBytes)} of typed arrays (${(sizing.tableBytes / Math.max(1, keys)).toFixed(1)} bytes per key); heap and buffers grew ${mb(afterSizing - afterBuild)} during the pass`,
  ];

  console.log(lines.join("\n"));
  lines.length = 0;
  // etcdctl refuses an endpoint both in its environment and on its command line.
  delete process.env.ETCDCTL_ENDPOINTS;
  const statsOf = (prefix: string) => async () => {
    const response = await getStats(new Request(`http://127.0.0.1/api/stats?prefix=${encodeURIComponent(prefix)}`));
    if (!response.ok) throw new Error(`/api/stats?prefix=${prefix}: ${response.status}`);
    await response.json();
  };
  const timings: [string, Timing, string, Timing][] = [];
  for (const prefix of ["/registry/", "/registry/events/"]) {
    const ours = await timeRuns(statsOf(prefix), { count: 30, budgetMs: 20_000, warmup: 3 });
    const theirs = await timeRuns(() => etcdctl(endpoint, ["get", prefix, "--prefix", "--limit", "1", "-w", "json"]), {
      count: 5,
      budgetMs: 30_000,
    });
    timings.push([prefix, ours, `etcdctl get ${prefix} --prefix --limit 1 -w json`, theirs]);
  }
  for (const [prefix, ours, command, theirs] of timings) {
    lines.push(
      `GET /api/stats?prefix=${prefix} (in-process handler): ${ms(ours.median)} (n=${ours.runs}); \`${command}\` (its count field: keys, no bytes): ${ms(theirs.median)} (n=${theirs.runs})`,
    );
  }
  console.log(lines.join("\n"));
  index.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`bench:stats: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
