import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as clusterRoute } from "@/app/api/cluster/route";
import { GET as historyRoute } from "@/app/api/history/route";
import { GET as keyRoute } from "@/app/api/key/route";
import { GET as keysRoute } from "@/app/api/keys/route";
import { GET as watchRoute } from "@/app/api/watch/route";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex, type FolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { MAX_WATCH_STREAMS_PER_CLUSTER } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";
import { openWatch, type SseStream } from "./watch-sse";
import { expectIndexMatchesScan, freeze, mb, sampleMax, sleep, thaw, thawAll, WATCH_STREAMS, WATCHERS, ETCD_RSS } from "./faults-support";

// etcd frozen (SIGSTOP) for 30 s: its sockets stay open and nothing answers, the way a member
// hangs on a stuck disk or a paused VM. Every request must still answer within its deadline with
// a clear "etcd unavailable", the live stream must notice the silence, and once etcd runs again
// neither requests nor watch streams may have piled up.

const DEADLINE_MS = 3_000;
// What the answer may take beyond the deadline itself: scheduling on a busy two-core machine and
// the route's own work. A bound on correctness, not a performance target.
const MARGIN_MS = 2_000;
const FROZEN_MS = 30_000;

const q = (text: string) => encodeKeyParam(Buffer.from(text));

let etcd: EtcdProcess;
let writer: Etcd3;
let index: FolderIndex;

beforeAll(async () => {
  etcd = await startTestEtcd("faults-freeze");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_REQUEST_TIMEOUT_MS = String(DEADLINE_MS);
  writer = seedingClient(etcd);
  for (let i = 0; i < 200; i++) await writer.put(`/fz/ns-${i % 7}/obj-${i}`).value("v");
  index = getFolderIndex(getCluster());
  expect(await index.acquire({ buildWaitMs: 20_000, catchUpMs: 10_000 })).not.toBeNull();
});

afterAll(async () => {
  thawAll([etcd]);
  index?.stop();
  writer?.close();
  await etcd?.stop();
});

type Answer = { status: number; code?: string };
type Timed = Answer & { route: string; ms: number };

async function timeRoute(route: string, call: () => Promise<Answer>): Promise<Timed> {
  const started = Date.now();
  const answer = await call();
  return { route, ms: Date.now() - started, ...answer };
}

async function answerOf(handler: (request: Request) => Promise<Response>, path: string): Promise<Answer> {
  const { status, body } = await callRoute(handler, path);
  return { status, code: body?.error?.code };
}

// A watch answers with its stream at once (what it says about etcd comes as events) or with an
// error; either way the response itself must not wait for etcd beyond the deadline.
async function openAndCloseWatch(prefix: string): Promise<Answer> {
  const response = await watchRoute(new Request(`http://127.0.0.1/api/watch?prefix=${q(prefix)}`));
  if (response.status === 200) {
    await response.body?.cancel();
    return { status: 200, code: "stream" };
  }
  return { status: response.status, code: (await response.json()).error?.code };
}

function askEveryRoute(): Promise<Timed>[] {
  return [
    timeRoute("cluster?view=header", () => answerOf(clusterRoute, "/api/cluster?view=header")),
    timeRoute("cluster", () => answerOf(clusterRoute, "/api/cluster")),
    timeRoute("keys", () => answerOf(keysRoute, `/api/keys?prefix=${q("/fz/")}`)),
    timeRoute("key", () => answerOf(keyRoute, `/api/key?key=${q("/fz/ns-1/obj-1")}`)),
    timeRoute("history", () => answerOf(historyRoute, `/api/history?key=${q("/fz/ns-1/obj-1")}`)),
    timeRoute("watch", () => openAndCloseWatch("/fz-late/")),
  ];
}

describe("etcd frozen for 30 s", () => {
  it("answers every request within its deadline, notices the stall, and piles up nothing", { timeout: 120_000 }, async () => {
    const stream: SseStream = await openWatch(`?prefix=${q("/fz/")}`);
    try {
      await stream.nextOf(["ready"]);
      const before = await sampleMax([etcd], [WATCH_STREAMS, WATCHERS, ETCD_RSS], { everyMs: 250, forMs: 1_000 });

      freeze(etcd);
      const frozenAt = Date.now();
      const answers: Timed[] = [];
      // Requests keep coming while etcd is frozen, as from a page that polls: each must give up on
      // its own deadline, however many are waiting at once.
      const waves: Promise<void>[] = [];
      while (Date.now() - frozenAt < FROZEN_MS - DEADLINE_MS - MARGIN_MS) {
        waves.push(Promise.all(askEveryRoute()).then((timed) => void answers.push(...timed)));
        await sleep(2_500);
      }
      await Promise.all(waves);
      // The subscriber hears that its watch is reconnecting while etcd is silent.
      const told = await stream.nextOf(["reconnecting"], Math.max(1, FROZEN_MS - (Date.now() - frozenAt))).catch(() => null);
      await sleep(Math.max(0, FROZEN_MS - (Date.now() - frozenAt)));
      thaw(etcd);

      const after = await sampleMax([etcd], [WATCH_STREAMS, WATCHERS, ETCD_RSS], {
        everyMs: 250,
        forMs: 10_000,
        stopAbove: { [WATCH_STREAMS]: 50 * MAX_WATCH_STREAMS_PER_CLUSTER },
      });
      const slowest = [...answers].sort((a, b) => b.ms - a.ms)[0];
      console.log(
        `freeze: ${answers.length} requests while frozen, slowest ${slowest?.route} ${slowest?.ms} ms (deadline ${DEADLINE_MS} ms); ` +
          `watch streams before ${before.max[WATCH_STREAMS]}, max after ${after.max[WATCH_STREAMS]}, watchers max ${after.max[WATCHERS]}; ` +
          `etcd RSS before ${mb(before.max[ETCD_RSS])}, max after ${mb(after.max[ETCD_RSS])}` +
          (after.stoppedEarly ? `; sampling stopped: ${after.stoppedEarly}` : ""),
      );

      expect(answers.length).toBeGreaterThanOrEqual(6 * 8);
      expect(answers.filter((answer) => answer.ms > DEADLINE_MS + MARGIN_MS)).toEqual([]);
      const unavailable = (answer: Timed) => answer.status === 502 && answer.code === "etcd_unavailable";
      expect(answers.filter((answer) => !unavailable(answer) && answer.code !== "stream")).toEqual([]);
      expect(answers.filter((answer) => answer.route !== "watch" && !unavailable(answer))).toEqual([]);
      expect(told?.event, "the subscriber was told its watch is reconnecting").toBe("reconnecting");
      expect(after.max[WATCH_STREAMS]).toBeLessThanOrEqual(MAX_WATCH_STREAMS_PER_CLUSTER);
      expect(after.max[ETCD_RSS]).toBeLessThan(before.max[ETCD_RSS] + 100 * 1024 * 1024);

      // Resumed: the subscriber gets the next write and the badge can say "live" again.
      const written = Number((await writer.put("/fz/after-thaw").value("v")).header.revision);
      const change = await stream.nextOf(["message"], 30_000);
      expect(JSON.parse(change.data).revision).toBe(written);
      await expectIndexMatchesScan(index, getCluster(), writer, 20_000);
    } finally {
      thawAll([etcd]);
      await stream.close();
    }
  });
});
