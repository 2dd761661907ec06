// npm run bench:decode — how fast Kubernetes protobuf decodes on one core: to the object (what search
// and the kubectl tables use) and on to JSON text (what the value routes send).
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { decodeValue, encodeKubernetesObject, type JsonObject, type KubernetesValue } from "../lib/decode/index";
import { pod } from "./lib/bench/kube-objects";

const FIXTURE_POD = path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD/core.v1.Pod.pb");

/** Issue 16: the fixture Pod (every field filled) decoded to its object, on one core. */
const TARGET_OBJECTS_PER_SECOND = 20_000;
/** The earlier goal: the fixture Pod decoded and serialized to JSON text, on one core. */
const TARGET_JSON_PER_SECOND = 10_000;
/** Runs per figure; the median is printed, with the spread beside it. */
const RUNS = 5;

interface Sample {
  name: string;
  bytes: Uint8Array;
  key: Uint8Array;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  if (existsSync(FIXTURE_POD)) {
    out.push({
      name: "fixture core.v1.Pod.pb",
      bytes: new Uint8Array(readFileSync(FIXTURE_POD)),
      key: Buffer.from("/registry/pods/default/fixture"),
    });
  } else {
    console.log(`(${FIXTURE_POD} not found: the fixture Pod is left out)`);
  }
  // The Pods `npm run bench:seed` writes (100,000 of them in the benchmark keyspace).
  const name = "app-000-7c9d8f6b5-00000";
  out.push({
    name: "bench:seed Pod",
    bytes: encodeKubernetesObject(pod("ns-0", name, 0)),
    key: Buffer.from(`/registry/pods/ns-0/${name}`),
  });
  return out;
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
    for (let i = 0; i < 50; i++) run();
    count += 50;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { count, millis: now - start, cpuMillis: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs until the time per call stops improving: V8 optimizes the generated decoders on a background
 * thread, which on a busy machine can take seconds, and until then the figures measure the compiler.
 * Measured here: about 6 s for the fixture Pod's ~150 decoders at load 5 on 2 cores. At least eight
 * rounds, then until three rounds in a row gain less than 5%.
 */
function warmUp(run: () => void): void {
  let best = Infinity;
  let flat = 0;
  for (let round = 0; round < 40 && (round < 8 || flat < 3); round++) {
    const m = measure(run, 500);
    const perCall = m.cpuMillis / m.count;
    flat = perCall > best * 0.95 ? flat + 1 : 0;
    best = Math.min(best, perCall);
  }
}

interface Rate {
  /** Calls per CPU second, median of the runs, and the slowest and fastest run. */
  median: number;
  low: number;
  high: number;
  /** Microseconds of CPU per call at the median. */
  micros: number;
  /** Wall time above CPU time by more than 10%: other processes took turns on this core. */
  busy: boolean;
}

function rateOf(run: () => void): Rate {
  warmUp(run);
  const runs = Array.from({ length: RUNS }, () => measure(run, 1000));
  const rates = runs.map((m) => (m.count / m.cpuMillis) * 1000).sort((a, b) => a - b);
  const median = rates[Math.floor(RUNS / 2)];
  const busy = runs.some((m) => m.millis > m.cpuMillis * 1.1);
  return { median, low: rates[0], high: rates[RUNS - 1], micros: 1e6 / median, busy };
}

const perSecond = (value: number) => Math.round(value).toLocaleString("en-US");
const describe = (rate: Rate) =>
  `${perSecond(rate.median)}/s (${perSecond(rate.low)}–${perSecond(rate.high)}; ${rate.micros.toFixed(1)} µs each)` +
  (rate.busy ? " busy" : "");
const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

function main(): void {
  const rows: [string, string][] = [["measure (per CPU second, median of 5 runs, range)", "value"]];
  rows.push(["load average before", loadAverage()]);
  let fixtureObjects: Rate | undefined;
  let fixtureJson: Rate | undefined;
  for (const sample of samples()) {
    const { bytes, key } = sample;
    const check = decodeValue(bytes, { key }) as KubernetesValue;
    if (check.format !== "kubernetes" || check.error) throw new Error(`${sample.name} does not decode: ${JSON.stringify(check)}`);
    const objects = rateOf(() => decodeValue(bytes, { key }));
    const json = rateOf(() => JSON.stringify(decodeValue(bytes, { key })));
    const object = check.object;
    const stringifyOnly = rateOf(() => JSON.stringify(object));
    if (sample.name.startsWith("fixture")) [fixtureObjects, fixtureJson] = [objects, json];
    const label = `${sample.name} (${bytes.length.toLocaleString("en-US")} bytes)`;
    rows.push([`${label}: decode to object`, describe(objects)]);
    rows.push([`${label}: decode to JSON text`, describe(json)]);
    rows.push([`${label}:   JSON.stringify alone`, describe(stringifyOnly)]);
  }

  const large = encodeKubernetesObject(largeObject(1 << 20));
  measure(() => decodeValue(large), 200);
  const big = measure(() => JSON.stringify(decodeValue(large)), 1000);
  rows.push([`one ${(large.length / 1048576).toFixed(2)} MiB ConfigMap to JSON text`, `${(big.cpuMillis / big.count).toFixed(2)} ms`]);

  const verdict = (rate: Rate | undefined, target: number) =>
    rate === undefined
      ? "not measured (no fixture)"
      : `${perSecond(target)}/s: ${rate.median >= target ? "met" : "NOT met"}` +
        (rate.busy ? " (the machine was busy: wall time 10%+ above CPU time)" : "");
  rows.push(["target: fixture Pod decoded to object", verdict(fixtureObjects, TARGET_OBJECTS_PER_SECOND)]);
  rows.push(["target: fixture Pod decoded to JSON text", verdict(fixtureJson, TARGET_JSON_PER_SECOND)]);
  rows.push(["load average after", loadAverage()]);
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

main();
