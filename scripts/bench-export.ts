// npm run bench:export — GET /api/export of the 100,000 Pods under /registry/pods/ of the
// `npm run bench:seed` keyspace (ETCDCTL_ENDPOINTS; read only) as jsonl and as yaml, through the
// real route handler in this process, read to the end: keys/s, MB/s and the process's peak RSS;
// beside it, in the same run, `etcdctl get /registry/pods/ --prefix -w json` (etcd's bytes in
// base64, nothing decoded). Then GET /api/compare of the whole keyspace at its current revision
// against itself 100 revisions earlier (the bench etcd has one history), every page followed by
// its cursor: time, pages and peak RSS. Server-only code: tsx --conditions=react-server.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { requireProgram, ETCDCTL } from "./lib/system-deps";

const PREFIX = "/registry/pods/";
const q = (key: string) => encodeURIComponent(key);

/** Peak RSS while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

async function exportOnce(format: "jsonl" | "yaml") {
  const { GET } = await import("@/app/api/export/route");
  const started = performance.now();
  const response = await GET(new Request(`http://127.0.0.1/api/export?prefix=${q(PREFIX)}&format=${format}`));
  if (!response.ok) throw new Error(`export answered ${response.status}: ${await response.text()}`);
  const keys = Number(response.headers.get("x-etcdlens-total-keys"));
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return { ms: performance.now() - started, keys, bytes };
}

function etcdctlBaseline(): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(requireProgram(ETCDCTL, "ETCDCTL_BIN"), ["get", PREFIX, "--prefix", "-w", "json"], {
      env: { ...process.env, ETCDCTL_API: "3" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let bytes = 0;
    child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`etcdctl exited ${code}`)),
    );
  });
}

async function compareWhole() {
  const { GET } = await import("@/app/api/compare/route");
  const { getCluster } = await import("@/lib/etcd/client");
  const { getClusterHeader } = await import("@/lib/etcd/cluster");
  const current = (await getClusterHeader(getCluster())).revision;
  const earlier = Math.max(1, current - 100);
  const started = performance.now();
  let cursor: string | null = null;
  let pages = 0;
  const counts = { onlyLeft: 0, onlyRight: 0, changed: 0, sameAfterNoise: 0, same: 0 };
  do {
    const base = `/api/compare?left=default@${earlier}&right=default@${current}&prefix=&limit=1000`;
    const response = await GET(new Request(`http://127.0.0.1${base}${cursor ? `&cursor=${cursor}` : ""}`));
    if (!response.ok) throw new Error(`compare answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { next: string | null; counts: typeof counts };
    for (const name of Object.keys(counts) as (keyof typeof counts)[]) counts[name] += page.counts[name];
    cursor = page.next;
    pages += 1;
  } while (cursor);
  return { ms: performance.now() - started, pages, counts, earlier, current };
}

async function main() {
  if (!process.env.ETCDCTL_ENDPOINTS) {
    console.error("bench:export: set ETCDCTL_ENDPOINTS to the etcd `npm run bench:seed` filled");
    process.exit(2);
  }
  process.env.ETCDLENS_AUTH ??= "none";
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`Exporting ${PREFIX} on ${process.env.ETCDCTL_ENDPOINTS} through GET /api/export`);
  for (const format of ["jsonl", "yaml"] as const) {
    const { result, peakMb } = await withPeakRss(() => exportOnce(format));
    const seconds = result.ms / 1000;
    console.log(
      `- ${format}: ${result.keys.toLocaleString()} keys, ${mb(result.bytes)} MB in ${seconds.toFixed(2)} s: ` +
        `${Math.round(result.keys / seconds).toLocaleString()} keys/s, ${(result.bytes / 1024 / 1024 / seconds).toFixed(1)} MB/s; peak RSS ${peakMb.toFixed(0)} MB`,
    );
  }
  const baseline = await etcdctlBaseline();
  console.log(
    `- etcdctl get ${PREFIX} --prefix -w json: ${mb(baseline.bytes)} MB in ${(baseline.ms / 1000).toFixed(2)} s (values in base64, not decoded)`,
  );
  if (process.argv.includes("--no-compare")) return;
  const { result, peakMb } = await withPeakRss(compareWhole);
  console.log(
    `- compare of the whole keyspace at ${result.earlier} and ${result.current}: ${(result.ms / 1000).toFixed(1)} s, ${result.pages} pages, ` +
      `${JSON.stringify(result.counts)}; peak RSS ${peakMb.toFixed(0)} MB`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
