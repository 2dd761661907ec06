// npm run bench:history — the first history page of a key with 10,000 versions and the diff of two
// 100 KB Kubernetes objects, timed through the same lib functions the API routes call.
// Runs against ETCDCTL_ENDPOINTS when set (writing under /etcdlens-bench/), else a private etcd.
// lib/etcd is server-only, so this runs under tsx with --conditions=react-server (see package.json).
import { performance } from "node:perf_hooks";
import { decodeValue, encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { diffValues, renderForDiff, stripNoise, compileNoise, DEFAULT_NOISE_PATTERNS } from "@/lib/diff";
import { describeVersions, type VersionInput } from "@/lib/diff/lifecycle";
import { diffText } from "@/lib/diff/text";
import { getHistory, type HistoryVersion } from "@/lib/etcd/history";
import { range } from "@/lib/etcd/kv";
import { openBenchEtcd } from "./lib/bench/bench-etcd";

const VERSIONS = 10_000;
const PAGE = 50;
const RUNS = 25;
const PREFIX = "/etcdlens-bench/";

function deployment(replicas: number, padding: number, tweak = 0): JsonObject {
  const env = Array.from({ length: padding }, (_, i) => ({
    name: `SETTING_${i}`,
    value: `value-${i}-${i === tweak ? "changed" : "steady"}-padding-text`,
  }));
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "bench",
      namespace: "default",
      uid: "6f1c2a57-0000-4000-8000-000000000001",
      generation: replicas,
      creationTimestamp: "2024-05-01T10:00:00Z",
      labels: { app: "bench" },
      annotations: { "deployment.kubernetes.io/revision": String(replicas % 7) },
      managedFields: [{ manager: "kubectl", operation: "Update", apiVersion: "apps/v1", time: "2024-05-01T10:00:00Z" }],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: "bench" } },
      template: { metadata: { labels: { app: "bench" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", env }] } },
    },
    status: { observedGeneration: replicas, replicas, readyReplicas: replicas },
  };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(label: string, work: () => Promise<unknown>): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  const result = median(samples);
  console.log(
    `${label.padEnd(58)} median ${result.toFixed(1).padStart(7)} ms  (min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}, ${RUNS} runs)`,
  );
  return result;
}

const toInput = ({ entry, value }: HistoryVersion): VersionInput => ({ ...entry, value });

async function main() {
  const { hosts, writer, connection, close } = await openBenchEtcd("history");
  try {
    const key = Buffer.from(`${PREFIX}deployments/default/bench`);
    const small = encodeKubernetesObject(deployment(1, 85));
    console.log(
      `writing ${VERSIONS.toLocaleString()} versions of a ${(small.length / 1024).toFixed(1)} KB Deployment to ${hosts.join(", ")}…`,
    );
    for (let done = 0; done < VERSIONS; done += 100) {
      // Sequential batches keep the versions in order; within a batch order does not matter.
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          writer
            .put(key)
            .value(Buffer.from(encodeKubernetesObject(deployment(done + i + 1, 85))))
            .exec(),
        ),
      );
    }
    const bigKey = Buffer.from(`${PREFIX}deployments/default/big`);
    const bigA = encodeKubernetesObject(deployment(2, 2250, -1));
    const bigB = encodeKubernetesObject(deployment(5, 2250, 1400));
    const from = Number((await writer.put(bigKey).value(Buffer.from(bigA))).header.revision);
    const to = Number((await writer.put(bigKey).value(Buffer.from(bigB))).header.revision);
    console.log(
      `two Deployments of ${(bigA.length / 1024).toFixed(0)} KB and ${(bigB.length / 1024).toFixed(0)} KB at revisions ${from} and ${to}\n`,
    );

    await time(`history: first page (${PAGE} entries, with summaries)`, async () => {
      const page = await getHistory(connection, key, { limit: PAGE });
      if (page.items.length !== PAGE) throw new Error(`expected ${PAGE} entries, got ${page.items.length}`);
      describeVersions(page.items.map(toInput), page.older && toInput(page.older), page.olderKnown);
    });
    await time(`history: first page without summaries (etcd reads only)`, () => getHistory(connection, key, { limit: PAGE }));
    await time("diff: read + decode two 100 KB objects + field diff", async () => {
      const [a, b] = await Promise.all([
        range(connection, { key: bigKey, revision: from }),
        range(connection, { key: bigKey, revision: to }),
      ]);
      const changes = diffValues(decodeValue(a.kvs[0].value, { modRevision: from }), decodeValue(b.kvs[0].value, { modRevision: to }));
      if (!changes.some((item) => item.path === "spec.replicas")) throw new Error("the replica change was not found");
    });
    const oldValue = decodeValue(bigA, { modRevision: from });
    const newValue = decodeValue(bigB, { modRevision: to });
    const noise = compileNoise(DEFAULT_NOISE_PATTERNS);
    await time("diff: field diff alone (no etcd, no decode)", async () => diffValues(oldValue, newValue));
    await time("diff (browser work): YAML of both + line/word diff", async () => {
      const render = (value: typeof oldValue) =>
        value.format === "kubernetes" ? renderForDiff(value, stripNoise(value.object, noise)) : renderForDiff(value);
      const a = render(oldValue);
      const b = render(newValue);
      if (a.language !== "none" && b.language !== "none") diffText(a.text, b.text);
    });
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
