import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { configureWatchHubs, getWatchHubStats } from "@/lib/etcd/watch-hub";
import { configureWatches } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";
import { openWatch, SseStream } from "./watch-sse";

// Many browsers on one prefix share one etcd watch, and a subscriber that stops reading is dropped
// instead of growing the server's memory.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value = "v") => Number((await writer.put(key).value(value)).header.revision);
const hubOf = (prefix: string) => getWatchHubStats().perHub.find((hub) => hub.prefix === prefix);

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const settledMemory = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage();
};

beforeAll(async () => {
  etcd = await startTestEtcd("watch-fanout");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  configureWatchHubs({ graceMs: 200, heartbeatMs: 15_000, progressMs: 5_000 });
  configureWatches({ feedGraceMs: 100 });
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/watch with many subscribers", () => {
  it("serves 200 streams on one prefix from one etcd watch, each getting every change", async () => {
    await put("/warm/up");
    const warm = await openWatch(`?prefix=${q("/warm/")}`);
    await warm.nextOf(["ready"]);
    await warm.close();
    const before = settledMemory();

    const streams: SseStream[] = [];
    for (let i = 0; i < 200; i++) streams.push(await openWatch(`?prefix=${q("/fan/")}`));
    await Promise.all(streams.map((stream) => stream.nextOf(["ready"])));
    const stats = getWatchHubStats();
    expect(hubOf("/fan/")).toMatchObject({ subscribers: 200, watching: true });
    expect(stats.perHub.filter((hub) => hub.prefix === "/fan/")).toHaveLength(1);
    // One stream, the cluster feed, serves "/fan/" and "/warm/" (still in its grace period).
    expect(stats.etcdWatches).toBe(1);

    const revisions: number[] = [];
    for (let i = 0; i < 20; i++) revisions.push(await put(`/fan/k${i}`, "x".repeat(100)));
    const received = await Promise.all(streams.map((stream) => stream.changes(20)));
    for (const events of received) expect(events.map((event) => Number(event.id))).toEqual(revisions);

    const during = settledMemory();
    const perStreamKiB = (during.heapUsed - before.heapUsed) / 200 / 1024;
    console.log(
      `200 watch streams: heap +${((during.heapUsed - before.heapUsed) / 1048576).toFixed(1)} MiB ` +
        `(${perStreamKiB.toFixed(1)} KiB per stream), rss +${((during.rss - before.rss) / 1048576).toFixed(1)} MiB; ` +
        `etcd watches: ${getWatchHubStats().etcdWatches}`,
    );
    expect(perStreamKiB).toBeLessThan(256);

    await Promise.all(streams.map((stream) => stream.close()));
    expect(hubOf("/fan/")?.subscribers ?? 0).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(hubOf("/fan/")).toBeUndefined();
    expect(getWatchHubStats().etcdWatches).toBe(0);
  });

  it("drops a subscriber that stops reading, while one that reads gets everything", async () => {
    const reading = await openWatch(`?prefix=${q("/slow/")}`);
    const stalled = await openWatch(`?prefix=${q("/slow/")}`);
    await reading.nextOf(["ready"]);
    expect(hubOf("/slow/")?.subscribers).toBe(2);

    // Large keys make each event large: 80 events of ~27 KiB overflow a 1 MiB queue.
    const arriving = reading.changes(80, 20_000);
    const revisions: number[] = [];
    for (let i = 0; i < 80; i++) revisions.push(await put(`/slow/${String(i).padStart(3, "0")}-${"k".repeat(10_000)}`));
    const events = await arriving;
    expect(events.map((event) => Number(event.id))).toEqual(revisions);
    expect(hubOf("/slow/")?.subscribers).toBe(1);
    await expect(stalled.changes(80, 5_000)).rejects.toThrow(/dropped|ended/);
    await reading.close();
  });
});
