// npm run bench:seed -- --keys 1000000 [--start-etcd] — fills an etcd with a Kubernetes-shaped
// keyspace for `npm run bench`: ~66% events across 200 namespaces (one of them with 50,000),
// ~4 KB Pods (10%: the 100,000 Pods the search benchmark scans), ReplicaSets, ConfigMaps, Secrets, node Leases renewed several times, and one
// ConfigMap with 10,000 revisions. Writes go in transactions of at most 128 operations and about
// 1 MB (etcd's default --max-txn-ops and --max-request-bytes), several in flight at once.
import { Etcd3 } from "etcd3";
import { encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject } from "@/lib/decode/types";
import { configMap, event, lease, pod, replicaSet, secret } from "./lib/bench/kube-objects";
import { flagValue, resolveTargetEtcd } from "./lib/bench/target-etcd";
import { BIG_NAMESPACE, HOT_KEY, NAMESPACE_COUNT } from "./lib/bench/keyspace";

const MAX_TXN_OPS = 128;
const MAX_TXN_BYTES = 1_000_000;
const IN_FLIGHT = 8;

type Put = { key: string; value: Uint8Array };

function namespaceName(index: number): string {
  return index === 0 ? BIG_NAMESPACE : `ns-${index - 1}`;
}

function hex(index: number, width: number): string {
  return index.toString(16).padStart(width, "0");
}

/** The keys to create, in an order that spreads each kind over its namespaces. */
function* keyspace(total: number): Generator<Put> {
  const events = Math.round(total * 0.66);
  const bigEvents = Math.min(50_000, Math.floor(events / 2));
  const pods = Math.round(total * 0.1);
  const replicaSets = Math.round(total * 0.05);
  const secrets = Math.round(total * 0.08);
  const leases = Math.min(2_000, Math.max(1, Math.round(total * 0.002)));
  const configMaps = Math.max(0, total - events - pods - replicaSets - secrets - leases - 1);
  const put = (key: string, object: JsonObject): Put => ({ key, value: encodeKubernetesObject(object) });
  const other = (i: number) => namespaceName(1 + (i % (NAMESPACE_COUNT - 1)));

  for (let i = 0; i < events; i++) {
    const ns = i < bigEvents ? BIG_NAMESPACE : other(i);
    const name = `app-${hex(i % 977, 3)}-${hex((i * 2654435761) % 0xfffff, 5)}.${hex(0x17a8b9c0d1e2 + i, 16)}`;
    yield put(`/registry/events/${ns}/${name}`, event(ns, name, i));
  }
  for (let i = 0; i < pods; i++) {
    const ns = other(i);
    const name = `app-${hex(i % 977, 3)}-7c9d8f6b5-${hex(i, 5)}`;
    yield put(`/registry/pods/${ns}/${name}`, pod(ns, name, i));
  }
  for (let i = 0; i < replicaSets; i++) {
    const ns = other(i);
    const name = `app-${hex(i, 5)}-7c9d8f6b5`;
    yield put(`/registry/replicasets/${ns}/${name}`, replicaSet(ns, name, i));
  }
  for (let i = 0; i < configMaps; i++) {
    const ns = other(i);
    const name = `config-${hex(i, 6)}`;
    yield put(`/registry/configmaps/${ns}/${name}`, configMap(ns, name, i));
  }
  for (let i = 0; i < secrets; i++) {
    const ns = other(i);
    const name = `token-${hex(i, 6)}`;
    yield put(`/registry/secrets/${ns}/${name}`, secret(ns, name, i));
  }
  // Node leases are renewed every few seconds in a real cluster: several revisions each.
  for (let renewal = 0; renewal < 5; renewal++) {
    for (let i = 0; i < leases; i++) yield put(`/registry/leases/kube-node-lease/node-${i}`, lease(`node-${i}`, i, renewal));
  }
}

async function writeAll(client: Etcd3, puts: Iterable<Put>, onWritten: (count: number) => void): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let batch: Put[] = [];
  let bytes = 0;
  const send = async (ops: Put[]) => {
    await client.kv.txn({ success: ops.map((op) => ({ request_put: { key: Buffer.from(op.key), value: Buffer.from(op.value) } })) });
    onWritten(ops.length);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const job = send(batch).finally(() => inFlight.delete(job));
    inFlight.add(job);
    batch = [];
    bytes = 0;
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  const pending = new Set<string>();
  for (const op of puts) {
    // etcd rejects a transaction that writes one key twice (the lease renewals).
    if (batch.length >= MAX_TXN_OPS || bytes + op.value.length > MAX_TXN_BYTES || pending.has(op.key)) {
      await flush();
      pending.clear();
    }
    batch.push(op);
    pending.add(op.key);
    bytes += op.key.length + op.value.length;
  }
  await flush();
  await Promise.all(inFlight);
}

async function main() {
  const total = Number(flagValue("--keys") ?? 1_000_000);
  if (!Number.isInteger(total) || total < 1000) throw new Error("--keys takes a whole number of at least 1000");
  const historyLength = Number(flagValue("--history") ?? 10_000);
  const target = await resolveTargetEtcd({ fresh: true });
  const client = new Etcd3({ hosts: target.endpoint, grpcOptions: { "grpc.max_receive_message_length": 16 * 1024 * 1024 } });
  console.log(`bench:seed: writing ${total.toLocaleString()} keys to ${target.endpoint}`);
  const started = performance.now();
  let written = 0;
  let bytesWritten = 0;
  let lastReport = started;
  try {
    const counted = (function* () {
      for (const put of keyspace(total)) {
        bytesWritten += put.value.length;
        yield put;
      }
    })();
    await writeAll(client, counted, (count) => {
      written += count;
      const now = performance.now();
      if (now - lastReport > 5_000) {
        lastReport = now;
        console.log(`  ${written.toLocaleString()} writes, ${Math.round(written / ((now - started) / 1000)).toLocaleString()}/s`);
      }
    });
    const historyStart = performance.now();
    // One key rewritten historyLength times, for the history benchmark; one write per revision.
    for (let round = 0; round < historyLength; round += 64) {
      const writes = [];
      for (let i = round; i < Math.min(historyLength, round + 64); i++) writes.push(i);
      for (const i of writes) await client.put(HOT_KEY).value(Buffer.from(encodeKubernetesObject(configMap("bench-history", "hot", 0, i))));
    }
    const historySeconds = (performance.now() - historyStart) / 1000;
    const seconds = (performance.now() - started) / 1000;
    const count = await client.getAll().prefix("/registry/").count();
    console.log(
      `bench:seed: ${written.toLocaleString()} writes (${(bytesWritten / 1e6).toFixed(0)} MB of values) in ${seconds.toFixed(1)} s, ` +
        `${Math.round(written / (seconds - historySeconds)).toLocaleString()} writes/s; ${historyLength.toLocaleString()} revisions of ${HOT_KEY} ` +
        `in ${historySeconds.toFixed(1)} s; ${count.toLocaleString()} keys under /registry/ now`,
    );
  } finally {
    client.close();
    await target.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
