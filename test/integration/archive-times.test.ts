import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { getArchiveStore, recorderState, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import type { ChangeDto, HistoryItemDto } from "@/lib/api/dto";
import { encodeKubernetesObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { waitFor } from "./archive-support";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Wall-clock times of revisions, which etcd does not keep. Written before the dashboard's recorder
// starts (a real SQLite file), node Leases renewed with the real clock form etcd's retained
// history: the recorder estimates those revisions' times from renewTime (and a revision without a
// clock of its own from the nearest one below it). Written after, revisions carry their arrival
// times, and at= finds the last revision at or before a time between two writes. Once etcd has
// compacted everything, the change feed's time window is answered from the archive.

const CLUSTER = "default";
const LEASE = "/registry/leases/kube-node-lease/node-1";
const OTHER_LEASE = "/registry/leases/kube-node-lease/node-2";
const CONFIG = "/registry/configmaps/shop/settings";
const LIVE = "/times/live";
let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const putBytes = async (key: string, value: Buffer | string) => Number((await writer.put(key).value(value)).header.revision);

function nodeLease(node: string, renewTime: Date): Buffer {
  return Buffer.from(
    encodeKubernetesObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: node, namespace: "kube-node-lease", creationTimestamp: "2026-01-01T00:00:00Z" },
      // kube-apiserver writes MicroTime with microseconds.
      spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: renewTime.toISOString().replace("Z", "000Z") },
    }),
  );
}

/** The revisions written before the recorder started, each written between `sent` and `at` (acknowledged). */
const truth: { key: string; revision: number; sent: number; at: number }[] = [];
const live: { revision: number; value: string }[] = [];

async function writeTimed(key: string, value: (now: Date) => Buffer | string): Promise<void> {
  const sent = new Date();
  const revision = await putBytes(key, value(sent));
  truth.push({ key, revision, sent: sent.getTime(), at: Date.now() });
}

async function historyOf(key: string): Promise<HistoryItemDto[]> {
  const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}&limit=100`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.items;
}

beforeAll(async () => {
  etcd = await startTestEtcd("archive-times");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  // The first request opens the connection (a second or so): not part of any timed write.
  await writer.get("/times/warm-up");
  // Two nodes renew every 300 ms for about 2.5 s; a ConfigMap without managedFields changes between renewals.
  for (let round = 0; round < 8; round++) {
    await writeTimed(LEASE, (now) => nodeLease("node-1", now));
    await writeTimed(OTHER_LEASE, (now) => nodeLease("node-2", now));
    await writeTimed(CONFIG, () => JSON.stringify({ kind: "ConfigMap", apiVersion: "v1", data: { round: String(round) } }));
    await sleep(300);
  }
  startArchiveRecorders(() => undefined);
  await waitFor("the recorder records", () => recorderState(CLUSTER)?.state === "recording");
  for (const value of ["first", "second", "third"]) {
    live.push({ revision: await putBytes(LIVE, JSON.stringify({ step: value })), value });
    await sleep(250);
  }
  const store = (await getArchiveStore())!;
  const last = live[live.length - 1].revision;
  await waitFor(`the archive holds revision ${last}`, async () => (await store.lastRecordedRevision(CLUSTER)) >= last);
}, 60_000);

afterAll(async () => {
  await stopArchiveRecorders();
  writer?.close();
  await etcd?.stop();
});

describe("revision times", () => {
  it("estimates the times of revisions older than the recorder from Lease renewals, within a second of the truth", async () => {
    const items = [...(await historyOf(LEASE)), ...(await historyOf(CONFIG))];
    expect(items).toHaveLength(16);
    for (const item of items) {
      const written = truth.find((entry) => entry.revision === item.revision)!;
      expect(item.timeEstimated, `revision ${item.revision}`).toBe(true);
      // A Lease's own renewTime; a ConfigMap revision the renewal just before it (a few ms earlier).
      const estimate = Date.parse(item.time!);
      expect(estimate, `revision ${item.revision}`).toBeLessThanOrEqual(written.at);
      expect(estimate, `revision ${item.revision}`).toBeGreaterThan(written.sent - 1_000);
    }
  });

  it("stamps live revisions with their arrival, and at= finds the last revision at or before a time between writes", async () => {
    const items = await historyOf(LIVE);
    expect(items.map((item) => [item.revision, item.timeEstimated])).toEqual(live.map(({ revision }) => [revision, false]).reverse());
    const [third, second, first] = items.map((item) => Date.parse(item.time!));
    expect(first).toBeLessThan(second);
    expect(second).toBeLessThan(third);
    const at = async (time: number) => callRoute(getKey, `/api/key?key=${q(LIVE)}&at=${new Date(time).toISOString()}`);
    for (const [time, expected] of [
      [first, live[0]],
      [Math.floor((first + second) / 2), live[0]],
      [second, live[1]],
      [second + 1, live[1]],
      [third + 60_000, live[2]],
    ] as const) {
      const { status, body } = await at(time);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.kv.modRevision, new Date(time).toISOString()).toBe(expected.revision);
      expect(body.modRevisionTime).toEqual({ time: expect.any(String), timeEstimated: false });
    }
  });

  it("finds revisions by estimated time before the recorder started, and refuses a time before any", async () => {
    const leases = truth.filter((entry) => entry.key === LEASE);
    // Just after node-1's fourth renewal: node-1 at that renewal, by its renewTime.
    const { status, body } = await callRoute(getKey, `/api/key?key=${q(LEASE)}&at=${new Date(leases[3].at + 5).toISOString()}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.kv.modRevision).toBe(leases[3].revision);
    expect(body.modRevisionTime.timeEstimated).toBe(true);
    const before = await callRoute(getKey, `/api/key?key=${q(LEASE)}&at=2020-01-01T00:00:00Z`);
    expect(before.status).toBe(404);
    expect(before.body.error.message).toMatch(/the archive knows no revision at or before 2020-01-01T00:00:00.000Z/);
  });

  it("refuses malformed times and rev with at, with a clear 400", async () => {
    for (const [query, message] of [
      [`at=yesterday`, /"at": a time is RFC 3339 with a zone/],
      [`at=2026-02-30T00:00:00Z`, /is not a time that exists/],
      [`rev=3&at=2026-11-20T09:00:00Z`, /give "rev" or "at", not both/],
    ] as const) {
      const { status, body } = await callRoute(getKey, `/api/key?key=${q(LIVE)}&${query}`);
      expect(status).toBe(400);
      expect(body.error.message).toMatch(message);
    }
  });

  it("answers a change feed time window that etcd has compacted from the archive, with times", async () => {
    const liveItems = await historyOf(LIVE);
    const compactAt = await putBytes("/times/filler", "compaction");
    await writer.kv.compact({ revision: String(compactAt), physical: true });
    const store = (await getArchiveStore())!;
    await waitFor("the filler is recorded", async () => (await store.lastRecordedRevision(CLUSTER)) >= compactAt);
    const [third, second, first] = liveItems.map((item) => item.time!);
    const window = `from=${encodeURIComponent(first)}&to=${encodeURIComponent(new Date(Date.parse(second) + 1).toISOString())}`;
    const { status, body } = await callRoute(getChanges, `/api/changes?prefix=${q("/times/")}&${window}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.readFrom.source).toBe("archive");
    expect(body.window).toEqual({ from: live[0].revision, to: live[1].revision });
    // A window in the estimated past says so.
    const leases = truth.filter((entry) => entry.key === LEASE);
    const early = await callRoute(getChanges, `/api/changes?prefix=${q(LEASE)}&from=${new Date(leases[1].sent).toISOString()}`);
    expect(early.body.window).toEqual({ from: leases[1].revision, estimated: true });
    expect(early.body.items.at(-1)).toMatchObject({ revision: leases[1].revision, timeEstimated: true });
    expect(body.items.map((item: ChangeDto) => [item.revision, item.summary, item.time, item.timeEstimated])).toEqual([
      [live[1].revision, "step: first → second", second, false],
      [live[0].revision, "created", first, false],
    ]);
    expect(third > second).toBe(true);
    // The whole prefix over etcd's retained part and the archive: every change, newest first.
    const all = await callRoute(getChanges, `/api/changes?prefix=${q("/times/")}&from=1`);
    expect(all.body.readFrom.source).toBe("etcd+archive");
    const expected = [compactAt, ...live.map((entry) => entry.revision).reverse()];
    expect(all.body.items.map((item: ChangeDto) => item.revision)).toEqual(expected);
    // Page by page, one change each: etcd's page ends full and the next ones go on in the archive.
    const paged: number[] = [];
    let cursor = "";
    for (let pages = 0; pages < 10; pages++) {
      const { body } = await callRoute(getChanges, `/api/changes?prefix=${q("/times/")}&from=1&limit=1${cursor}`);
      paged.push(...body.items.map((item: ChangeDto) => item.revision));
      if (body.nextCursor === null) break;
      cursor = `&cursor=${body.nextCursor}`;
    }
    expect(paged).toEqual(expected);
  });
});
