import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as clusterRoute } from "@/app/api/cluster/route";
import { GET as keyRoute } from "@/app/api/key/route";
import { getCluster } from "@/lib/etcd/client";
import { configureWatches, getClusterFeed, getWatchStats, type ChangeBatch, type FeedSubscription } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";
import { openWatch, type SseEvent } from "./watch-sse";

// The cluster feed against a real etcd: a transaction's changes arrive as one batch, a revision
// larger than etcd's response limit arrives whole (etcd fragments it; the feed asks for fragments
// and puts them back together), a feed broken by etcd going away resumes without losing or
// repeating a change, and a 410 names the compaction that happened after the probe was cached.
// etcd fragments a response above its request limit plus 512 KiB of gRPC overhead; it runs with a
// 64 KiB request limit here, so a revision of ~800 KiB is sent in fragments.

let etcd: EtcdProcess;
let writer: Etcd3;
let feed: FeedSubscription | undefined;
const batches: ChangeBatch[] = [];

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const put = async (key: string, value = "v") => Number((await writer.put(key).value(value)).header.revision);

async function batchAt(revision: number, timeoutMs = 10_000): Promise<ChangeBatch[]> {
  const deadline = Date.now() + timeoutMs;
  while (!batches.some((batch) => batch.revision >= revision)) {
    if (Date.now() > deadline) throw new Error(`the feed did not reach revision ${revision}`);
    await sleep(20);
  }
  return batches.filter((batch) => batch.revision === revision);
}

beforeAll(async () => {
  etcd = await startTestEtcd("watch-feed", { extraArgs: ["--max-request-bytes", String(64 * 1024)] });
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  configureWatches({ backoffCapMs: 2_000 });
  writer = seedingClient(etcd);
  feed = await getClusterFeed(getCluster()).subscribe({ batch: (batch) => batches.push(batch), compacted: () => undefined });
});

afterAll(async () => {
  feed?.close();
  writer?.close();
  await etcd?.stop();
});

describe("the cluster feed", () => {
  it("delivers every change of a multi-event transaction together, as one batch", async () => {
    await put("/tx/old");
    const txn = await writer.kv.txn({
      compare: [],
      success: [
        ...["/tx/a", "/tx/b", "/tx/c"].map((key) => ({ request_put: { key: Buffer.from(key), value: Buffer.from("1") } })),
        { request_delete_range: { key: Buffer.from("/tx/old") } },
      ],
      failure: [],
    });
    const revision = Number(txn.header.revision);
    const atRevision = await batchAt(revision);
    expect(atRevision).toHaveLength(1);
    expect(atRevision[0].changes.map((change) => `${change.type} ${change.key.toString()}`)).toEqual([
      "PUT /tx/a",
      "PUT /tx/b",
      "PUT /tx/c",
      "DELETE /tx/old",
    ]);
  });

  it("delivers a revision larger than etcd's response limit whole, from its fragments", async () => {
    const keys = Array.from({ length: 400 }, (_, i) => `/big/${String(i).padStart(3, "0")}-${"k".repeat(2_000)}`);
    let lastPut = 0;
    for (let at = 0; at < keys.length; at += 50) {
      for (const revision of await Promise.all(keys.slice(at, at + 50).map((key) => put(key)))) lastPut = Math.max(lastPut, revision);
    }
    const subscriber = await openWatch(`?prefix=${q("/big/")}&fromRevision=${lastPut}`);
    await subscriber.nextOf(["ready"]);
    const fragmentsBefore = getWatchStats().clusters[0].watches[0].fragmentsReassembled;
    // One revision deleting 400 keys of ~2 KB: ~800 KiB of events, over 64 KiB + 512 KiB.
    const deleted = Number((await writer.delete().prefix("/big/")).header.revision);
    const atRevision = await batchAt(deleted);
    expect(atRevision).toHaveLength(1);
    expect(atRevision[0].changes.map((change) => change.key.toString())).toEqual(keys);
    expect(atRevision[0].changes.every((change) => change.type === "DELETE")).toBe(true);
    expect(getWatchStats().clusters[0].watches[0].fragmentsReassembled).toBeGreaterThan(fragmentsBefore);
    const streamed = await subscriber.changes(400);
    expect(new Set(streamed.map((event) => event.id))).toEqual(new Set([String(deleted)]));
    await subscriber.close();
  });

  it("resumes after etcd went away without losing or repeating a change, and says it was reconnecting", async () => {
    const stream = await openWatch(`?prefix=${q("/rs/")}`);
    await stream.nextOf(["ready"]);
    const written: number[] = [];
    for (let i = 0; i < 10; i++) written.push(await put(`/rs/before-${i}`));
    await stream.changes(5);
    const reconnectsBefore = getWatchStats().clusters[0].watches[0].reconnects;
    const warn = vi.spyOn(console, "warn");

    await etcd.stop();
    await sleep(2_000);
    await etcd.restart();
    // Written at once, while the feed is most likely still waiting out its backoff: it must read
    // them from etcd's history when it resumes.
    for (let i = 0; i < 10; i++) written.push(await put(`/rs/after-${i}`));

    const seen: SseEvent[] = [];
    while (seen.filter((event) => event.event === "message").length < 15) seen.push(await stream.next(30_000));
    const changes = seen.filter((event) => event.event === "message");
    expect(changes.map((event) => Number(event.id))).toEqual(written.slice(5));
    expect(seen.map((event) => event.event)).toContain("reconnecting");
    expect(seen.map((event) => event.event)).toContain("live");
    expect(seen.filter((event) => !["message", "progress", "reconnecting", "live"].includes(event.event))).toEqual([]);
    await expect(stream.changes(1, 800)).rejects.toThrow(/in time/);
    const reconnects = getWatchStats().clusters[0].watches[0].reconnects - reconnectsBefore;
    expect(reconnects).toBeGreaterThan(0);
    // Every failure is said in one line with its cause and the next attempt; repeats of one cause
    // are counted into a later line, so there are never more lines than failures.
    const lines = warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes(" failed: "));
    warn.mockRestore();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(reconnects);
    for (const line of lines)
      expect(line).toMatch(/^etcdlens: watch \(cluster \S+, feed\) on http:\/\/127\.0\.0\.1:\d+ failed: .+; next attempt in \d+ ms$/);
    // The feed went on from where it was; its stream count never exceeded one.
    expect(getWatchStats().clusters[0].streamsByPurpose.feed).toBe(1);
    await stream.close();
  });

  it("tells a browser that starts watching a new prefix during an outage that the watch is reconnecting, and sends no progress until it is back", async () => {
    // The feed keeps running for the first prefix; the second prefix's hub is made mid-outage.
    const first = await openWatch(`?prefix=${q("/early/")}`);
    await first.nextOf(["ready"]);
    await etcd.stop();
    try {
      await first.nextOf(["reconnecting"], 20_000);
      const late = await openWatch(`?prefix=${q("/late/")}`);
      expect((await late.next()).event).toBe("ready");
      expect((await late.next()).event).toBe("reconnecting");
      // Hubs tick every few seconds; none may claim progress while etcd is away.
      const during: SseEvent[] = [];
      const until = Date.now() + 6_000;
      while (Date.now() < until) {
        try {
          during.push(await late.next(Math.max(1, until - Date.now())));
        } catch {
          break;
        }
      }
      expect(during.filter((event) => event.event === "progress" || event.event === "live")).toEqual([]);
      await etcd.restart();
      await late.nextOf(["live"], 30_000);
      const revision = await put("/late/after");
      const change = await late.nextOf(["message"], 10_000);
      expect(Number(change.id)).toBe(revision);
      await late.close();
    } finally {
      if (!etcd.pid()) await etcd.restart();
      await first.close();
    }
  });

  it("names the real oldest revision in a 410 when the compaction came after the probe was cached", async () => {
    // The cluster page asks for the compaction revision, which is then cached for a few seconds.
    const cluster = await callRoute(clusterRoute, "/api/cluster");
    expect(cluster.status).toBe(200);
    const before = Number(cluster.body.compactRevision ?? 0);
    const key = "/cmp/key";
    const first = await put(key, "first");
    await put(key, "second");
    const latest = await put("/cmp/filler");
    expect(latest).toBeGreaterThan(before);
    await writer.kv.compact({ revision: latest, physical: true });

    const { status, body } = await callRoute(keyRoute, `/api/key?key=${q(key)}&rev=${first}`);
    expect(status).toBe(410);
    expect(body.error).toMatchObject({ code: "compacted", compactRevision: latest });
    expect(body.error.message).toContain(`the oldest revision still available is ${latest}`);
  });
});
