import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getMetrics } from "@/app/metrics/route";
import { GET as watchRoute } from "@/app/api/watch/route";
import { getArchiveStore, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { getWatchStats } from "@/lib/etcd/watch";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callAs, useAccessRules, viewer } from "./access-support";
import { seedingClient, startTestEtcd } from "./support";

// GET /metrics against a real etcd, with sign-in on and the server on a public address: API calls
// move the request counters and histograms, the calls' etcd RPCs are counted with their failures,
// the folder index, watch, event-stream and recorder gauges hold the numbers the modules and etcd
// themselves give, and only the metrics token (or a signed-in viewer) may scrape.

const TOKEN = "metrics-test-token-0123456789abcdef";
const ops = viewer("ops");
const KEYS = 40;

let etcd: EtcdProcess;
let writer: Etcd3;

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Prometheus's text format, as a scraper reads it: `name{label="value",...} number` per line. */
function parseSamples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

class Scrape {
  constructor(readonly samples: Sample[]) {}

  /** The sum of the samples of `name` whose labels include `labels` (0 when none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.samples.some(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }
}

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<Scrape> {
  const { status, body, response } = await callAs(getMetrics, undefined, "/metrics", { headers });
  expect(status, String(body)).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Scrape(parseSamples(body.toString("utf8")));
}

/** Scrapes until `done` holds (the index and the recorder follow etcd's watch, a moment behind). */
async function scrapeUntil(done: (scrape: Scrape) => boolean, what: string): Promise<Scrape> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const current = await scrape();
    if (done(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the metrics never showed ${what}`);
}

async function etcdRevision(): Promise<number> {
  return Number((await writer.kv.range({ key: Buffer.from("\u0000"), count_only: true })).header!.revision);
}

beforeAll(async () => {
  etcd = await startTestEtcd("metrics");
  writer = seedingClient(etcd);
  useAccessRules(etcd, "metrics", [{ users: ["ops"], clusters: "*", prefixes: [""], rights: ["list", "read"] }]);
  process.env.HOST = "0.0.0.0";
  process.env.ETCDLENS_METRICS_TOKEN = TOKEN;
  for (let i = 0; i < KEYS; i++)
    await writer
      .put(`/m/folder-${i % 4}/key-${i}`)
      .value(`value ${i}`)
      .exec();
  startArchiveRecorders(() => undefined);
});

afterAll(async () => {
  await stopArchiveRecorders();
  writer?.close();
  await etcd?.stop();
});

describe("GET /metrics", () => {
  it("counts API requests by route and status, with latency histograms, and the etcd RPCs they made", async () => {
    const before = await scrape();
    expect((await callAs(getKey, ops, "/api/key?key=/m/folder-1/key-1&cluster=main")).status).toBe(200);
    expect((await callAs(getKey, ops, "/api/key?key=/m/folder-1/key-1&cluster=main")).status).toBe(200);
    expect((await callAs(getKey, ops, "/api/key?key=&cluster=main")).status).toBe(400);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta("etcdlens_http_requests_total", { route: "/api/key", method: "GET", status: "200" })).toBe(2);
    expect(delta("etcdlens_http_requests_total", { route: "/api/key", method: "GET", status: "400" })).toBe(1);
    expect(delta("etcdlens_http_request_duration_seconds_count", { route: "/api/key", method: "GET" })).toBe(3);
    expect(delta("etcdlens_http_request_duration_seconds_bucket", { route: "/api/key", method: "GET", le: "+Inf" })).toBe(3);
    expect(delta("etcdlens_http_request_duration_seconds_sum", { route: "/api/key", method: "GET" })).toBeGreaterThan(0);
    // The first scrape itself was counted, under its pattern: never a raw path or a key.
    expect(delta("etcdlens_http_requests_total", { route: "/metrics", status: "200" })).toBe(1);
    expect(after.samples.some((sample) => Object.values(sample.labels).some((value) => value.includes("key-1")))).toBe(false);

    const ranges = delta("etcdlens_etcd_rpcs_total", { cluster: "main", method: "Range" });
    expect(ranges).toBeGreaterThanOrEqual(2);
    expect(delta("etcdlens_etcd_rpc_duration_seconds_count", { cluster: "main", method: "Range" })).toBe(ranges);
    // The default process metrics come along.
    expect(after.has("process_cpu_seconds_total")).toBe(true);
    expect(after.has("nodejs_eventloop_lag_seconds")).toBe(true);
  });

  it("counts a failed etcd RPC by its kind", async () => {
    const old = await etcdRevision();
    await writer.put("/m/folder-0/key-0").value("changed").exec();
    await writer.kv.compact({ revision: old + 1, physical: true });
    const before = await scrape();
    // A revision etcd has compacted: etcd's answer is the failure counted (the archive may answer the request).
    await callAs(getKey, ops, `/api/key?key=/m/folder-0/key-0&cluster=main&rev=${old}`);
    const after = await scrape();
    const kind = { cluster: "main", method: "Range", kind: "compacted" };
    expect(
      after.value("etcdlens_etcd_rpc_errors_total", kind) - before.value("etcdlens_etcd_rpc_errors_total", kind),
    ).toBeGreaterThanOrEqual(1);
  });

  it("gives the folder index's exact key count, its revision and lag, the watch streams and the event-stream subscribers", async () => {
    expect((await callAs(getKeys, ops, "/api/keys?prefix=/m/&cluster=main")).status).toBe(200);
    await writer.put("/m/folder-9/late").value("x").exec();
    const revision = await etcdRevision();
    const keys = Number((await writer.kv.range({ key: Buffer.from("\u0000"), range_end: Buffer.from("\u0000"), count_only: true })).count);
    const ready = await scrapeUntil(
      (s) => s.value("etcdlens_folder_index_revision", { cluster: "main" }) === revision,
      "the index at etcd's revision",
    );
    expect(ready.value("etcdlens_folder_index_ready", { cluster: "main" })).toBe(1);
    expect(ready.value("etcdlens_folder_index_keys", { cluster: "main" })).toBe(keys);
    expect(ready.value("etcdlens_folder_index_folders", { cluster: "main" })).toBeGreaterThanOrEqual(6);
    expect(ready.value("etcdlens_etcd_revision", { cluster: "main" })).toBe(revision);
    expect(ready.value("etcdlens_etcd_up", { cluster: "main" })).toBe(1);
    expect(ready.value("etcdlens_folder_index_lag_revisions", { cluster: "main" })).toBe(0);

    const watched = await callAs(watchRoute, ops, "/api/watch?prefix=/m/&cluster=main");
    expect(watched.status).toBe(200);
    try {
      const open = await scrape();
      expect(open.value("etcdlens_sse_subscribers")).toBe(1);
      expect(open.value("etcdlens_watch_hubs")).toBe(1);
      const stats = getWatchStats().clusters.find((cluster) => cluster.cluster === "main")!;
      expect(stats.streamsByPurpose.feed).toBe(1);
      for (const [purpose, streams] of Object.entries(stats.streamsByPurpose)) {
        expect(open.value("etcdlens_watch_streams", { cluster: "main", purpose }), purpose).toBe(streams);
      }
      expect(open.value("etcdlens_watches", { cluster: "main", state: "live" })).toBeGreaterThanOrEqual(1);
      expect(open.has("etcdlens_watch_reconnects_total", { cluster: "main" })).toBe(true);
    } finally {
      await watched.response.body?.cancel();
    }
    const closed = await scrapeUntil((s) => s.value("etcdlens_sse_subscribers") === 0, "the subscriber gone");
    expect(closed.value("etcdlens_sse_subscribers")).toBe(0);
  });

  it("gives the recorder's state, revision, lag and events stored, and the archive's size", async () => {
    const recording = await scrapeUntil(
      (s) =>
        s.value("etcdlens_recorder_state", { cluster: "main", state: "recording" }) === 1 &&
        s.has("etcdlens_recorder_lag_revisions", { cluster: "main" }) &&
        s.value("etcdlens_recorder_lag_revisions", { cluster: "main" }) === 0,
      "the recorder recording, caught up",
    );
    const eventsBefore = recording.value("etcdlens_recorder_events_total", { cluster: "main" });
    const writes = 12;
    for (let i = 0; i < writes; i++) await writer.put(`/m/folder-2/recorded-${i}`).value(`v${i}`).exec();
    const revision = await etcdRevision();
    const caughtUp = await scrapeUntil(
      (s) => s.value("etcdlens_recorder_revision", { cluster: "main" }) === revision,
      "the writes recorded",
    );
    expect(caughtUp.value("etcdlens_recorder_events_total", { cluster: "main" }) - eventsBefore).toBe(writes);
    expect(caughtUp.value("etcdlens_recorder_lag_revisions", { cluster: "main" })).toBe(0);
    expect(caughtUp.value("etcdlens_recorder_backlog_events", { cluster: "main" })).toBe(0);
    // Nothing is written now: the archive's size holds still between a scrape and the store's own figure.
    const settled = await scrape();
    const coverage = await (await getArchiveStore())!.coverage("main");
    expect(coverage.storedBytes).toBeGreaterThan(0);
    expect(settled.value("etcdlens_archive_stored_bytes", { cluster: "main" })).toBe(coverage.storedBytes);
  });

  it("on a public address, answers only the metrics token or a signed-in viewer", async () => {
    expect((await callAs(getMetrics, undefined, "/metrics")).status).toBe(401);
    const wrong = await callAs(getMetrics, undefined, "/metrics", { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthenticated");
    expect((await callAs(getMetrics, undefined, "/metrics", { headers: { authorization: `Bearer ${TOKEN.slice(1)}` } })).status).toBe(401);
    expect((await callAs(getMetrics, ops, "/metrics")).status).toBe(200);
    expect((await callAs(getMetrics, undefined, "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it("is let through the gate in proxy.ts only with the metrics token, else refused as an API route is", async () => {
    const gate = (headers: Record<string, string>) =>
      proxy(new NextRequest("http://127.0.0.1:3000/metrics", { headers: { host: "127.0.0.1:3000", ...headers } }));
    const passed = await gate({ authorization: `Bearer ${TOKEN}` });
    expect(passed.headers.get("x-middleware-next")).toBe("1");
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }] as Record<string, string>[]) {
      const refused = await gate(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("x-middleware-next")).toBeNull();
      expect((await refused.json()).error.code).toBe("unauthenticated");
    }
    // The Host check still comes first.
    expect((await gate({ host: "evil.example:3000", authorization: `Bearer ${TOKEN}` })).headers.get("x-middleware-next")).toBeNull();
  });
});
