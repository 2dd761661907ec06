// npm run bench:search — searching the 100,000 Pods under /registry/pods/ of the `npm run bench:seed`
// keyspace (ETCDCTL_ENDPOINTS; read only) through the real route handler, GET /api/search in its
// streaming form (stream=1, every page followed by its cursor until the scan ends), in this process
// with the server's own settings; target ≤ 10 s for an image. Beside it, in the same run, the
// command a user would otherwise pipe: `etcdctl get /registry/pods --prefix -w json | <decode> |
// grep`, where <decode> is scripts/lib/bench/decode-etcdctl-json.ts (lib/decode's decodeValue,
// one JSON line per key). Every seeded Pod runs registry.example.com/team/app:1.2.3 on one of 500
// nodes, so the image matches all of them and a node name one in 500: both are timed, with a
// substring search that decodes every Pod and an image no Pod runs (the prefilter's best case).
// Server-only code: tsx --conditions=react-server.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { SearchStreamLineDto } from "@/lib/api/dto";
import { requireProgram, ETCDCTL } from "./lib/system-deps";

const PREFIX = "/registry/pods/";
const TARGET_MS = 10_000;

type Case = { what: string; query: string; grep: string; ignoreCase?: boolean };

const CASES: Case[] = [
  {
    what: "image every Pod runs (all match)",
    query: "spec.containers[*].image=registry.example.com/team/app:1.2.3",
    grep: '"image":"registry.example.com/team/app:1.2.3"',
  },
  { what: "node name (1 in 500 match)", query: "spec.nodeName=node-42", grep: '"nodeName":"node-42"' },
  { what: "image no Pod runs (none match)", query: "spec.containers[*].image=nginx:1.25", grep: '"image":"nginx:1.25"' },
  // Case-insensitive like the search; node-42 is also in node-420 to node-429.
  { what: "substring, decoding every Pod (11 in 500 match)", query: "node-42", grep: "node-42", ignoreCase: true },
];

type Outcome = { ms: number; matches: number; scanned: number; total: number; pages: number };

async function searchThroughRoute(query: string): Promise<Outcome> {
  const { GET } = await import("@/app/api/search/route");
  const started = performance.now();
  let cursor: string | null = null;
  let matches = 0;
  let pages = 0;
  let end: Extract<SearchStreamLineDto, { type: "end" }> | undefined;
  do {
    const params = `prefix=${encodeURIComponent(PREFIX)}&q=${encodeURIComponent(query)}&stream=1&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
    const response = await GET(new Request(`http://127.0.0.1/api/search?${params}`));
    if (!response.ok || !response.body) throw new Error(`the route answered ${response.status}: ${await response.text()}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      const cut = rest.lastIndexOf("\n");
      if (cut < 0) continue;
      for (const text of rest.slice(0, cut).split("\n")) {
        const line = JSON.parse(text) as SearchStreamLineDto;
        if (line.type === "hit") matches += 1;
        else if (line.type === "end") end = line;
        else if (line.type === "error") throw new Error(line.error.message);
      }
      rest = rest.slice(cut + 1);
    }
    pages += 1;
    cursor = end?.next ?? null;
  } while (cursor);
  return { ms: performance.now() - started, matches, scanned: end?.scanned ?? 0, total: end?.total ?? 0, pages };
}

/** `etcdctl get PREFIX --prefix -w json | <decode> | grep -c TEXT`, timed whole. */
function searchWithEtcdctl(grep: string, ignoreCase = false): Promise<{ ms: number; matches: number }> {
  const etcdctl = requireProgram(ETCDCTL, "ETCDCTL_BIN");
  const tsx = join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const pipeline = [
    `${quote(etcdctl)} --command-timeout=300s get ${quote(PREFIX.slice(0, -1))} --prefix -w json`,
    `${quote(process.execPath)} ${quote(tsx)} scripts/lib/bench/decode-etcdctl-json.ts`,
    `grep -c -F ${ignoreCase ? "-i " : ""}${quote(grep)}`,
  ].join(" | ");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `set -o pipefail; ${pipeline} || [ $? -eq 1 ]`], {
      env: { ...process.env, ETCDCTL_API: "3" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, matches: Number(out.trim() || 0) })
        : reject(new Error(`the pipeline exited with ${code}`)),
    );
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  if (!process.env.ETCDCTL_ENDPOINTS) {
    console.log("bench:search needs ETCDCTL_ENDPOINTS naming the etcd `npm run bench:seed` filled; skipped");
    return;
  }
  // The route reads its settings as the server does; a benchmark signs nobody in.
  process.env.ETCDLENS_AUTH ??= "none";
  console.log(`Searching ${PREFIX} on ${process.env.ETCDCTL_ENDPOINTS} through GET /api/search?stream=1 (target ≤ ${TARGET_MS / 1000} s)`);
  console.log("| query | matches | dashboard | etcdctl -w json \\| decode \\| grep | ratio |");
  console.log("|---|---|---|---|---|");
  let worst = 0;
  for (const item of CASES) {
    const ours = await searchThroughRoute(item.query);
    const theirs = await searchWithEtcdctl(item.grep, item.ignoreCase);
    worst = Math.max(worst, ours.ms);
    console.log(
      `| ${item.what}: \`${item.query}\` | ${ours.matches.toLocaleString()} of ${ours.total.toLocaleString()} (grep: ${theirs.matches.toLocaleString()}) | ${seconds(ours.ms)} (${ours.pages} pages) | ${seconds(theirs.ms)} | ${(theirs.ms / ours.ms).toFixed(1)}× |`,
    );
    if (ours.scanned !== ours.total) console.log(`  (scanned ${ours.scanned} of ${ours.total}: the scan did not finish)`);
  }
  console.log(`Slowest search ${seconds(worst)}: ${worst <= TARGET_MS ? "within" : "over"} the ${TARGET_MS / 1000} s target.`);
  process.exit(0);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
