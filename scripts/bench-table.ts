// npm run bench:table — a page of 200 Pods decoded into kubectl table rows, timed in the server
// function GET /api/table calls (lib/kube-table/read-table-page.ts: the listing, the page's value
// reads, decoding and the rows) plus presenting and serializing the answer, as the route does.
// Two kinds of Pod: 200 made from Kubernetes' own fixture core.v1.Pod.pb (13.5 KB, every field
// set; read from ../shared/fixtures/k8s-api/HEAD, or ETCDLENS_FIXTURES_DIR) and 200 of about
// 4 KB shaped like the benchmark keyspace's. Runs against ETCDCTL_ENDPOINTS when set (writing
// under /etcdlens-bench/), else a private etcd. Server-only code: tsx --conditions=react-server.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { presentTable } from "@/lib/api/present-table";
import { decodeValue, encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { readTablePage } from "@/lib/kube-table/read-table-page";
import { pod as typicalPod } from "./lib/bench/kube-objects";
import { openBenchEtcd } from "./lib/bench/bench-etcd";

const PAGE = 200;
const RUNS = 25;
const TARGET_MS = 150;
const PREFIX = "/etcdlens-bench/registry/pods/";
const FIXTURES = process.env.ETCDLENS_FIXTURES_DIR ?? resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The fixture Pod under another name: decoded, renamed, encoded again (the same 13.5 KB of fields). */
function fixturePods(): { bytes: (index: number, version: number) => Uint8Array; size: number } | undefined {
  const file = join(FIXTURES, "core.v1.Pod.pb");
  if (!existsSync(file)) return undefined;
  const decoded = decodeValue(new Uint8Array(readFileSync(file)));
  if (decoded.format !== "kubernetes") throw new Error(`${file} did not decode as a Kubernetes object`);
  const template = decoded.object;
  const bytes = (index: number, version: number) => {
    const object = structuredClone(template) as JsonObject & { metadata: JsonObject; status: JsonObject };
    object.metadata.name = `fixture-${String(index).padStart(3, "0")}`;
    object.metadata.namespace = "fixture";
    object.metadata.resourceVersion = "";
    object.status.phase = version === 0 ? "Pending" : "Running";
    return encodeKubernetesObject(object);
  };
  return { bytes, size: bytes(0, 0).length };
}

/**
 * The first calls measure V8 compiling the generated decoders (seconds on a busy machine), not what
 * a running server does: warm up until a call stops getting faster, and say what the first took.
 */
async function warmUp(work: () => Promise<number>): Promise<number> {
  const start = performance.now();
  await work();
  const first = performance.now() - start;
  let best = first;
  for (let round = 0; round < 30; round++) {
    const at = performance.now();
    await work();
    const took = performance.now() - at;
    if (took > best * 0.95 && round >= 3) break;
    best = Math.min(best, took);
  }
  return first;
}

async function time(label: string, work: () => Promise<number>): Promise<number> {
  const first = await warmUp(work);
  const samples: number[] = [];
  // CPU time of this process (decoding, building rows; not etcd's): on a busy machine, wall time
  // also counts the turns other processes take on the cores.
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const rows = await work();
    samples.push(performance.now() - start);
    if (rows !== PAGE) throw new Error(`${label}: expected ${PAGE} rows, got ${rows}`);
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuEach = (cpu.user + cpu.system) / 1000 / RUNS;
  const result = median(samples);
  const verdict = result <= TARGET_MS ? "within" : "over";
  console.log(
    `${label.padEnd(70)} median ${result.toFixed(1).padStart(6)} ms  (server CPU ${cpuEach.toFixed(1)} ms each; min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}, ${RUNS} runs after warm-up, the first call ${first.toFixed(0)} ms; ${verdict} the ${TARGET_MS} ms target)`,
  );
  return result;
}

async function main() {
  const { hosts, writer, connection, close } = await openBenchEtcd("table");
  try {
    const fixture = fixturePods();
    const kinds: { folder: string; label: string; bytes: (index: number, version: number) => Uint8Array }[] = [
      {
        folder: "typical",
        label: `${(encodeKubernetesObject(typicalPod("typical", "app-0", 0)).length / 1024).toFixed(1)} KB Pods`,
        bytes: (index, version) => {
          const object = typicalPod("typical", `app-${String(index).padStart(3, "0")}`, index) as JsonObject & { status: JsonObject };
          object.status.phase = version === 0 ? "Pending" : "Running";
          return encodeKubernetesObject(object);
        },
      },
    ];
    if (fixture)
      kinds.unshift({
        folder: "fixture",
        label: `${(fixture.size / 1024).toFixed(1)} KB fixture Pods (core.v1.Pod.pb, every field set)`,
        bytes: fixture.bytes,
      });
    else console.log(`no fixture Pod at ${FIXTURES}: timing the typical Pods only`);

    let pastRevision = 0;
    for (const version of [0, 1]) {
      for (const kind of kinds) {
        await Promise.all(
          Array.from({ length: PAGE }, (_, index) =>
            writer
              .put(`${PREFIX}${kind.folder}/pod-${String(index).padStart(3, "0")}`)
              .value(Buffer.from(kind.bytes(index, version)))
              .exec(),
          ),
        );
      }
      if (version === 0) pastRevision = Number((await writer.get(`${PREFIX}typical/pod-000`).exec()).header.revision);
    }
    console.log(`${kinds.length * PAGE} Pods written to ${hosts.join(", ")}, twice; the first versions at revision ${pastRevision}\n`);

    for (const kind of kinds) {
      const prefix = Buffer.from(`${PREFIX}${kind.folder}/`);
      const page = async (revision?: number) => {
        let answer = await readTablePage(connection, { prefix, revision, limit: PAGE });
        // The first listing at the current revision waits for the folder index to be built.
        while (answer.indexing) answer = await readTablePage(connection, { prefix, revision, limit: PAGE });
        JSON.stringify(presentTable(answer));
        return answer.table.resource ? answer.table.rows.length : 0;
      };
      await time(`a page of 200 ${kind.label} → table rows, current revision`, () => page());
      await time(`same, at a past revision (?rev=${pastRevision}, the level read by scanning)`, () => page(pastRevision));
    }
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
