// npm run bench:decode — how fast Kubernetes protobuf decodes to JSON on one core.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { decodeValue, encodeKubernetesObject, type JsonObject, type KubernetesValue } from "../lib/decode/index";

const FIXTURE_POD = path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD/core.v1.Pod.pb");

/** The goal for the fixture Pod (every field filled), decoded and serialized to JSON text on one core. */
const TARGET_PODS_PER_SECOND = 10_000;

function samplePodBytes(): { bytes: Uint8Array; source: string } {
  if (existsSync(FIXTURE_POD)) return { bytes: new Uint8Array(readFileSync(FIXTURE_POD)), source: "fixture core.v1.Pod.pb" };
  return { bytes: encodeKubernetesObject(samplePod(0)), source: "encoded sample Pod" };
}

function samplePod(index: number): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-${index}`,
      namespace: "default",
      uid: `00000000-0000-0000-0000-${String(index).padStart(12, "0")}`,
      creationTimestamp: "2024-05-01T12:00:00Z",
      labels: { app: "web", tier: "frontend" },
      annotations: { "example.com/revision": String(index) },
    },
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          env: [{ name: "MODE", value: "production" }],
          resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "250m", memory: "64Mi" } },
        },
      ],
      restartPolicy: "Always",
      nodeName: "node-1",
    },
    status: { phase: "Running", podIP: "10.0.0.1" },
  };
}

/** A ConfigMap of about `size` bytes: many keys, as the largest real objects are. */
function largeObject(size: number): JsonObject {
  const data: JsonObject = {};
  const value = "x".repeat(1000);
  for (let i = 0; i * 1010 < size; i++) data[`key-${String(i).padStart(5, "0")}`] = value;
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "large", namespace: "default" }, data };
}

interface Measurement {
  count: number;
  /** Wall-clock time. */
  millis: number;
  /** CPU time this process used: on a busy machine, what "on one core" means. */
  cpuMillis: number;
}

function measure(run: () => void, minMillis: number): Measurement {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < minMillis) {
    for (let i = 0; i < 100; i++) run();
    count += 100;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { count, millis: now - start, cpuMillis: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs until the time per call stops improving: V8 optimizes the generated decoders on a background
 * thread, which on a busy machine can take seconds, and until then the figures measure the compiler.
 */
function warmUp(run: () => void): void {
  let best = Infinity;
  for (let round = 0; round < 20; round++) {
    const m = measure(run, 500);
    const perCall = m.cpuMillis / m.count;
    if (perCall > best * 0.95) return;
    best = Math.min(best, perCall);
  }
}

const microsEach = (m: Measurement) =>
  `${((m.millis / m.count) * 1000).toFixed(1)} µs (CPU ${((m.cpuMillis / m.count) * 1000).toFixed(1)} µs)`;

function main(): void {
  const pod = samplePodBytes();
  const check = decodeValue(pod.bytes, { typeHint: { apiVersion: "v1", kind: "Pod" } }) as KubernetesValue;
  if (check.format !== "kubernetes" || check.error) throw new Error(`the sample Pod does not decode: ${JSON.stringify(check)}`);
  const decodeAndSerialize = () => JSON.stringify(decodeValue(pod.bytes));
  warmUp(decodeAndSerialize);
  const pods = measure(decodeAndSerialize, 2000);
  const decodeOnly = measure(() => decodeValue(pod.bytes), 1000);
  const object = check.object;
  const stringifyOnly = measure(() => JSON.stringify(object), 1000);
  const podsPerSecond = (pods.count / pods.millis) * 1000;
  const podsPerCpuSecond = (pods.count / pods.cpuMillis) * 1000;
  // Other processes taking turns on this core stretch wall time, not CPU time.
  const busy = pods.millis > pods.cpuMillis * 1.1;

  // The fixture fills every field of a Pod (13 KiB); a typical stored Pod is a few KiB.
  const typical = encodeKubernetesObject(samplePod(1));
  warmUp(() => JSON.stringify(decodeValue(typical)));
  const typicalPods = measure(() => JSON.stringify(decodeValue(typical)), 1000);

  const large = encodeKubernetesObject(largeObject(1 << 20));
  measure(() => decodeValue(large), 200);
  const big = measure(() => JSON.stringify(decodeValue(large)), 1000);

  const rows = [
    ["measure", "value"],
    ["sample", `${pod.source} (${pod.bytes.length} bytes)`],
    ["Pods decoded to JSON per second", Math.round(podsPerSecond).toLocaleString("en-US")],
    ["Pods per CPU second", Math.round(podsPerCpuSecond).toLocaleString("en-US")],
    ["time per Pod", microsEach(pods)],
    ["  of which decodeValue", microsEach(decodeOnly)],
    ["  of which JSON.stringify", microsEach(stringifyOnly)],
    [
      "target (decode + JSON.stringify)",
      `${TARGET_PODS_PER_SECOND.toLocaleString("en-US")} Pods/s: ${podsPerSecond >= TARGET_PODS_PER_SECOND ? "met" : "NOT met"}` +
        (busy ? " (the machine is busy: wall time is 10%+ above CPU time, figures are low)" : ""),
    ],
    [
      `typical Pods per second (${typical.length} bytes)`,
      Math.round((typicalPods.count / typicalPods.millis) * 1000).toLocaleString("en-US"),
    ],
    [`one ${(large.length / 1048576).toFixed(2)} MiB object`, `${(big.millis / big.count).toFixed(2)} ms`],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

main();
