import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex, type FolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { MAX_WATCH_STREAMS_PER_CLUSTER } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";
import { ETCD_RSS, expectIndexMatchesScan, LiveSubscriber, mb, sampleMax, WATCH_STREAMS, WATCHERS } from "./faults-support";

// etcd goes away and comes back on the same data and ports, with everything that watches it
// running: the folder index and a live subscriber of GET /api/watch. Measured on etcd itself
// (/metrics) from the moment it is back: the dashboard may hold no more watch streams than its
// ceiling at any sample, etcd's memory must stay near where it was, and so must this process's;
// the subscriber gets the next write and the folder index still matches a fresh scan.
//
// Before the one watch module, a 12 s outage was enough for the folder index's retry loop to open
// tens of thousands of streams within seconds of etcd's return. A short outage is met by the
// first retries; the long one by retries at the 30 s backoff cap. The 120 s outage costs two
// minutes of the suite; it stays because backoff caps, give-up timers and caches that expire all
// live between 30 s and a few minutes, and an outage that long is what a real cluster upgrade or
// a lost node looks like.

// How long the metrics are sampled after etcd is back: the reconnect, the resumed watches and
// whatever retry storm there would be all show within seconds.
const AFTER_MS = 15_000;
const MB = 1024 * 1024;

const q = (text: string) => encodeKeyParam(Buffer.from(text));

let etcd: EtcdProcess;
let writer: Etcd3;
let index: FolderIndex;

beforeAll(async () => {
  etcd = await startTestEtcd("faults-outage");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_REQUEST_TIMEOUT_MS = "3000";
  writer = seedingClient(etcd);
  for (let at = 0; at < 2_000; at += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.put(`/fo/ns-${(at + i) % 13}/pod-${at + i}`).value("v".repeat(200))));
  }
  index = getFolderIndex(getCluster());
  expect(await index.acquire({ buildWaitMs: 20_000, catchUpMs: 10_000 })).not.toBeNull();
});

afterAll(async () => {
  index?.stop();
  writer?.close();
  await etcd?.stop();
});

async function survivesOutage(outageMs: number): Promise<void> {
  const subscriber = await LiveSubscriber.open(`?prefix=${q("/fo/")}`);
  try {
    const before = await sampleMax([etcd], [WATCH_STREAMS, WATCHERS, ETCD_RSS], { everyMs: 250, forMs: 1_000 });
    const ownBefore = process.memoryUsage().rss;

    await etcd.stop();
    // Nothing to read from etcd while it is down; this process's memory is sampled all the same.
    const down = await sampleMax([etcd], [], { everyMs: 250, forMs: outageMs });
    await etcd.restart();
    const after = await sampleMax([etcd], [WATCH_STREAMS, WATCHERS, ETCD_RSS], {
      everyMs: 250,
      forMs: AFTER_MS,
      // Stop early rather than let a storm grow etcd by gigabytes on a shared machine.
      stopAbove: { [WATCH_STREAMS]: 50 * MAX_WATCH_STREAMS_PER_CLUSTER, [ETCD_RSS]: before.max[ETCD_RSS] + 1024 * MB },
      ownRssAbove: ownBefore + 1024 * MB,
    });
    const ownMax = Math.max(down.maxOwnRss, after.maxOwnRss);
    console.log(
      `outage ${outageMs / 1000} s: watch streams before ${before.max[WATCH_STREAMS]}, max after ${after.max[WATCH_STREAMS]} ` +
        `(watchers max ${after.max[WATCHERS]}) over ${after.samples} samples; etcd RSS before ${mb(before.max[ETCD_RSS])}, ` +
        `max after ${mb(after.max[ETCD_RSS])}; this process RSS before ${mb(ownBefore)}, max ${mb(ownMax)}; ` +
        `subscriber reopened ${subscriber.reopened}x, events ${JSON.stringify(subscriber.eventTypes())}` +
        (after.stoppedEarly ? `; sampling stopped early: ${after.stoppedEarly}` : ""),
    );

    expect(after.stoppedEarly).toBeUndefined();
    expect(after.samples).toBeGreaterThan(AFTER_MS / 250 / 2);
    expect(after.max[WATCH_STREAMS]).toBeLessThanOrEqual(MAX_WATCH_STREAMS_PER_CLUSTER);
    expect(after.max[ETCD_RSS]).toBeLessThan(before.max[ETCD_RSS] + 100 * MB);
    expect(ownMax).toBeLessThan(ownBefore + 300 * MB);

    const written = Number((await writer.put(`/fo/after-${outageMs}`).value("v")).header.revision);
    const change = await subscriber.waitForChange(written, 30_000);
    expect(change, "the subscriber got the first write after etcd came back").toMatchObject({
      revision: written,
      key: `/fo/after-${outageMs}`,
    });
    await expectIndexMatchesScan(index, getCluster(), writer, 20_000);
  } finally {
    await subscriber.close();
  }
}

describe("etcd stopped and restarted on the same data", () => {
  it("for 5 s: the dashboard reconnects within its watch-stream ceiling", { timeout: 90_000 }, () => survivesOutage(5_000));
  it("for 120 s: the dashboard reconnects within its watch-stream ceiling", { timeout: 210_000 }, () => survivesOutage(120_000));
});
