import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as changesRoute } from "@/app/api/changes/route";
import { GET as historyRoute } from "@/app/api/history/route";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { getWatchStats, MAX_WATCH_STREAMS_PER_CLUSTER } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";
import { openWatch, type SseStream } from "./watch-sse";

// The ceiling on etcd watch streams, counted by etcd itself: with the folder index built, 50
// browsers watching 10 prefixes, and history and change-feed requests (which replay etcd's event
// history) all at once, etcd never holds more than MAX_WATCH_STREAMS_PER_CLUSTER streams of ours.
// Before the watch module every prefix opened its own stream and every replay one more.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** etcd's own count of open watch streams, from its Prometheus /metrics. */
async function etcdWatchStreams(): Promise<number> {
  const text = await (await fetch(`${etcd.endpoint}/metrics`)).text();
  const match = /^etcd_debugging_mvcc_watch_stream_total (\S+)$/m.exec(text);
  if (!match) throw new Error("etcd's /metrics has no etcd_debugging_mvcc_watch_stream_total");
  return Number(match[1]);
}

beforeAll(async () => {
  etcd = await startTestEtcd("watch-ceiling");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  for (let i = 0; i < 10; i++) {
    // A key deleted and created again: its history needs a replay of an earlier lifecycle.
    await writer.put(`/p${i}/key`).value("first");
    await writer.delete().key(`/p${i}/key`);
    await writer.put(`/p${i}/key`).value("second");
    await writer.put(`/p${i}/key`).value("third");
  }
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("the watch stream ceiling", () => {
  it("holds at most MAX_WATCH_STREAMS_PER_CLUSTER streams on etcd with 50 subscribers on 10 prefixes and replays running", async () => {
    expect(await getFolderIndex(getCluster()).acquire({ buildWaitMs: 20_000, catchUpMs: 10_000 })).not.toBeNull();

    const samples: number[] = [];
    const ownCounts: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await etcdWatchStreams());
        ownCounts.push(getWatchStats().clusters.reduce((most, cluster) => Math.max(most, cluster.streams), 0));
        await sleep(20);
      }
    })();

    const streams: SseStream[] = [];
    try {
      for (let i = 0; i < 50; i++) streams.push(await openWatch(`?prefix=${q(`/p${i % 10}/`)}`));
      await Promise.all(streams.map((stream) => stream.nextOf(["ready"])));
      // History (each needs a replay of the earlier lifecycle) and change feeds, all at once.
      const requests = [
        ...Array.from({ length: 12 }, (_, i) => callRoute(historyRoute, `/api/history?key=${q(`/p${i % 10}/key`)}`)),
        ...Array.from({ length: 12 }, (_, i) => callRoute(changesRoute, `/api/changes?prefix=${q(`/p${i % 10}/`)}`)),
      ];
      const written: number[] = [];
      for (let i = 0; i < 10; i++) written.push(Number((await writer.put(`/p${i}/live`).value("v")).header.revision));
      const answers = await Promise.all(requests);
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(answers[0].body.items.map((item: { type: string }) => item.type)).toEqual(["PUT", "PUT", "DELETE", "PUT"]);
      // Every subscriber got the write under its prefix.
      const received = await Promise.all(streams.map((stream) => stream.changes(1)));
      expect(received.map((events) => Number(events[0].id))).toEqual(streams.map((_, i) => written[i % 10]));
    } finally {
      sampling = false;
      await sampler;
      await Promise.all(streams.map((stream) => stream.close()));
    }
    const most = Math.max(...samples);
    console.log(
      `watch ceiling: ${samples.length} samples of etcd_debugging_mvcc_watch_stream_total, at most ${most} ` +
        `(our own count at most ${Math.max(...ownCounts)}; ceiling ${MAX_WATCH_STREAMS_PER_CLUSTER})`,
    );
    expect(samples.length).toBeGreaterThan(5);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(1); // the feed was there all along
    expect(most).toBeLessThanOrEqual(MAX_WATCH_STREAMS_PER_CLUSTER);
    expect(Math.max(...ownCounts)).toBeLessThanOrEqual(MAX_WATCH_STREAMS_PER_CLUSTER);
  });
});
