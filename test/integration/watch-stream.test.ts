import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { configureWatchHubs, getWatchHubStats } from "@/lib/etcd/watch-hub";
import { configureWatches } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { WatchEventDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";
import { openWatch, type SseEvent } from "./watch-sse";

// GET /api/watch against one real etcd: order and ids, resuming with Last-Event-ID and
// fromRevision, catching up from the ring and from etcd's history, idle progress, and compaction.
// The compaction test compacts the whole store, so it runs last.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string | Buffer, value = "v") => Number((await writer.put(key).value(value)).header.revision);
const del = async (key: string) => Number((await writer.delete().key(key)).header.revision);
const dto = (event: SseEvent) => JSON.parse(event.data) as WatchEventDto;

beforeAll(async () => {
  etcd = await startTestEtcd("watch-stream");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  configureWatchHubs({ progressMs: 200, heartbeatMs: 300, graceMs: 100 });
  configureWatches({ feedGraceMs: 100 });
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/watch", () => {
  it("sends ready, then every change under the prefix in order with its revision as id", async () => {
    const stream = await openWatch(`?prefix=${q("/a/")}`);
    const ready = await stream.next();
    expect(ready.event).toBe("ready");
    const startsAfter = JSON.parse(ready.data).revision as number;
    expect(ready.id).toBe(String(startsAfter));

    const binaryKey = Buffer.from([0x2f, 0x61, 0x2f, 0xff, 0x00, 0x41]);
    const expected: { revision: number; type: string; key: string }[] = [];
    for (let i = 0; i < 5; i++) {
      expected.push({ revision: await put(`/a/k${i}`), type: "PUT", key: `/a/k${i}` });
      await put(`/b/k${i}`); // outside the prefix
    }
    expected.push({ revision: await put(binaryKey), type: "PUT", key: "/a/\\xff\\x00A" });
    expected.push({ revision: await del("/a/k1"), type: "DELETE", key: "/a/k1" });
    // One transaction: two changes at one revision, sent together.
    const txn = await writer.kv.txn({
      compare: [],
      success: ["/a/t1", "/a/t2"].map((key) => ({ request_put: { key: Buffer.from(key), value: Buffer.from("1") } })),
      failure: [],
    });
    const txnRevision = Number(txn.header.revision);
    expected.push({ revision: txnRevision, type: "PUT", key: "/a/t1" }, { revision: txnRevision, type: "PUT", key: "/a/t2" });

    const events = await stream.changes(expected.length);
    expect(events.map((event) => ({ revision: dto(event).revision, type: dto(event).type, key: dto(event).key }))).toEqual(expected);
    expect(events.map((event) => event.id)).toEqual(expected.map((change) => String(change.revision)));
    expect(expected[0].revision).toBeGreaterThan(startsAfter);
    const binary = dto(events[5]);
    expect(Buffer.from(binary.keyBase64, "base64")).toEqual(binaryKey);
    expect(binary).toMatchObject({ version: 1, createRevision: binary.revision, modRevision: binary.revision });
    expect(dto(events[6])).toMatchObject({ type: "DELETE", version: 0 });
    await stream.close();
  });

  it("resumes after Last-Event-ID or fromRevision without losing or repeating a change", async () => {
    const first = await openWatch(`?prefix=${q("/r/")}`);
    await first.nextOf(["ready"]);
    const revisions: number[] = [];
    for (let i = 0; i < 10; i++) revisions.push(await put(`/r/k${i}`));
    const seen = await first.changes(4);
    await first.close(); // the connection drops after four changes
    for (let i = 10; i < 15; i++) revisions.push(await put(`/r/k${i}`));

    const resumed = await openWatch(`?prefix=${q("/r/")}`, { "last-event-id": first.lastEventId! });
    expect(JSON.parse((await resumed.nextOf(["ready"])).data).revision).toBe(revisions[3]);
    const rest = await resumed.changes(11);
    expect([...seen, ...rest].map((event) => Number(event.id))).toEqual(revisions);
    await expect(resumed.changes(1, 800)).rejects.toThrow(/in time/);
    await resumed.close();

    const fromQuery = await openWatch(`?prefix=${q("/r/")}&fromRevision=${revisions[11]}`);
    await fromQuery.nextOf(["ready"]);
    expect((await fromQuery.changes(3)).map((event) => Number(event.id))).toEqual(revisions.slice(12));
    await fromQuery.close();
  });

  it("sends heartbeats and, when idle, the revision it is live up to", async () => {
    const stream = await openWatch(`?prefix=${q("/idle/")}`);
    await stream.nextOf(["ready"]);
    const elsewhere = await put("/elsewhere/x");
    const progress = await stream.nextOf(["progress"], 5_000);
    expect(progress.id).toBeUndefined();
    expect(JSON.parse(progress.data).revision).toBeGreaterThanOrEqual(elsewhere);
    // Heartbeats are comments between events: read on until one has come (every 300 ms here).
    for (let read = 0; stream.heartbeats === 0 && read < 50; read++) await stream.next(2_000);
    expect(stream.heartbeats).toBeGreaterThan(0);
    // The hub learns how far etcd is from the cluster feed's whole-keyspace events, not from
    // progress answers (unordered on this etcd): nothing it reports can run ahead of an event.
    expect(getWatchHubStats().perHub.find((hub) => hub.prefix === "/idle/")).toMatchObject({ state: "live", watching: true });
    await stream.close();
  });

  it("catches up from etcd a subscriber older than the ring, by prefix and over the whole keyspace", async () => {
    configureWatchHubs({ bufferChanges: 3 });
    const before = await put("/other/start");
    const old: number[] = [];
    for (let i = 0; i < 4; i++) old.push(await put(`/c/old${i}`), await put(`/other/noise${i}`));
    const oldInPrefix = old.filter((_, index) => index % 2 === 0);

    // The hub starts now: what came before is only in etcd, and the hub's ring is empty, so the
    // catch-up replays the whole keyspace up to the hub's start.
    const wholeKeyspace = await openWatch(`?prefix=${q("/c/")}&fromRevision=${before}`);
    await wholeKeyspace.nextOf(["ready"]);
    expect((await wholeKeyspace.changes(4)).map((event) => Number(event.id))).toEqual(oldInPrefix);

    // Now more than the ring holds: the catch-up ends at the ring's oldest change.
    const live: number[] = [];
    for (let i = 0; i < 6; i++) live.push(await put(`/c/new${i}`));
    const all = [...oldInPrefix, ...live];
    expect((await wholeKeyspace.changes(6)).map((event) => Number(event.id))).toEqual(live);
    const stats = getWatchHubStats().perHub.find((hub) => hub.prefix === "/c/");
    expect(stats?.buffered).toBe(3);

    const behind = await openWatch(`?prefix=${q("/c/")}&fromRevision=${all[1]}`);
    await behind.nextOf(["ready"]);
    expect((await behind.changes(8)).map((event) => Number(event.id))).toEqual(all.slice(2));
    const more = await put("/c/after");
    expect((await behind.changes(1))[0].id).toBe(String(more));
    await Promise.all([wholeKeyspace.close(), behind.close()]);
    configureWatchHubs({ bufferChanges: 10_000 });
  });

  it("closes the etcd watch a while after the last subscriber leaves", async () => {
    const stream = await openWatch(`?prefix=${q("/grace/")}`);
    await stream.nextOf(["ready"]);
    expect(getWatchHubStats().perHub.find((hub) => hub.prefix === "/grace/")?.watching).toBe(true);
    await stream.close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(getWatchHubStats().perHub.find((hub) => hub.prefix === "/grace/")).toBeUndefined();
  });

  it("reports a resume point that etcd has compacted instead of skipping it", async () => {
    const old = await put("/z/old");
    await put("/z/old2");
    const kept = await put("/z/kept");
    await writer.kv.compact({ revision: kept, physical: true });
    const stream = await openWatch(`?prefix=${q("/z/")}&fromRevision=${old - 1}`);
    await stream.nextOf(["ready"]);
    const compacted = await stream.nextOf(["compacted", "message"]);
    expect(compacted.event).toBe("compacted");
    const body = JSON.parse(compacted.data);
    expect(body.compactRevision).toBe(kept);
    expect(Number(compacted.id)).toBe(body.revision);
    // The stream goes on after the revision it names.
    const next = await put("/z/next");
    expect((await stream.changes(1))[0].id).toBe(String(next));
    await stream.close();
  });
});
