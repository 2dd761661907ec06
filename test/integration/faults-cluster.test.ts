import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noop } from "cockatiel";
import { Etcd3 } from "etcd3";
import { getCluster } from "@/lib/etcd/client";
import { getFolderIndex, type FolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { MAX_WATCH_STREAMS_PER_CLUSTER } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import { scratchDir, startEtcdCluster, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { expectIndexMatchesScan, LiveSubscriber, sampleMax, sleep, thawAll, WATCH_STREAMS } from "./faults-support";

// A three-member cluster under a minute of churn while writes continue: the leader is killed
// (SIGKILL, no goodbye) and brought back, then a follower is restarted, again and again, never
// more than one member down so the cluster keeps its quorum. The live stream must carry every
// stored write exactly once and in order, the dashboard's streams must stay within the ceiling on
// the cluster as a whole, and the folder index must match a fresh scan afterwards.

const CHURN_MS = 60_000;

const q = (text: string) => encodeKeyParam(Buffer.from(text));

let members: EtcdProcess[];
let index: FolderIndex;

/**
 * A client whose calls etcd3 never retries by itself: a put whose answer was lost in a failover
 * would be sent again under the same key and stored twice; each attempt here has its own key.
 */
function writerTo(endpoints: string[]): Etcd3 {
  return new Etcd3({ hosts: endpoints, faultHandling: { global: noop }, defaultCallOptions: () => ({ deadline: Date.now() + 3_000 }) });
}

async function putUntilAcknowledged(writer: Etcd3, key: string, until: () => boolean): Promise<number | undefined> {
  for (let attempt = 0; until(); attempt++) {
    try {
      return Number((await writer.put(`${key}-try${attempt}`).value("v")).header.revision);
    } catch {
      await sleep(50);
    }
  }
  return undefined;
}

async function findLeader(): Promise<EtcdProcess | undefined> {
  for (const member of members) {
    const client = new Etcd3({
      hosts: member.endpoint,
      faultHandling: { global: noop },
      defaultCallOptions: () => ({ deadline: Date.now() + 1_000 }),
    });
    try {
      const status = await client.maintenance.status();
      if (String(status.leader) === "0") continue;
      if (String(status.leader) === String(status.header.member_id)) return member;
    } catch {
      // Down or restarting: ask the next.
    } finally {
      client.close();
    }
  }
  return undefined;
}

beforeAll(async () => {
  members = await startEtcdCluster(3, { dataRoot: scratchDir(join(tmpdir(), "etcdlens-test"), "faults-cluster"), quiet: true });
  process.env.ETCDCTL_ENDPOINTS = members.map((member) => member.endpoint).join(",");
  process.env.ETCDLENS_REQUEST_TIMEOUT_MS = "3000";
  const seeder = new Etcd3({ hosts: members.map((member) => member.endpoint) });
  for (let i = 0; i < 300; i++) await seeder.put(`/fc/seed/ns-${i % 5}/obj-${i}`).value("v");
  seeder.close();
  index = getFolderIndex(getCluster());
  expect(await index.acquire({ buildWaitMs: 20_000, catchUpMs: 10_000 })).not.toBeNull();
});

afterAll(async () => {
  index?.stop();
  thawAll(members ?? []);
  await Promise.all((members ?? []).map((member) => member.stop()));
});

describe("a three-member cluster whose leader is killed and members restarted for a minute", () => {
  it("streams every stored write once and in order, and the folder index matches a scan", { timeout: 180_000 }, async () => {
    const subscriber = await LiveSubscriber.open(`?prefix=${q("/fc/")}`);
    const writer = writerTo(members.map((member) => member.endpoint));
    const churnEnds = Date.now() + CHURN_MS;
    let writing = true;
    const acknowledged: number[] = [];
    const writes = (async () => {
      for (let i = 0; writing; i++) {
        const revision = await putUntilAcknowledged(writer, `/fc/w/k${String(i).padStart(6, "0")}`, () => writing);
        if (revision !== undefined) acknowledged.push(revision);
      }
    })();
    const sampled = sampleMax(members, [WATCH_STREAMS], {
      everyMs: 250,
      forMs: CHURN_MS + 10_000,
      stopAbove: { [WATCH_STREAMS]: 50 * MAX_WATCH_STREAMS_PER_CLUSTER },
    });

    const churn: string[] = [];
    let lastKilled: EtcdProcess | undefined;
    try {
      for (let round = 0; Date.now() < churnEnds; round++) {
        if (round % 2 === 0) {
          const leader = (await findLeader()) ?? members[0];
          process.kill(leader.pid()!, "SIGKILL");
          lastKilled = leader;
          churn.push(`killed leader ${leader.endpoint}`);
          await sleep(2_000);
          await leader.restart();
        } else {
          // A follower other than the one just killed, so that every member takes its turn.
          const leader = await findLeader();
          const follower = members.find((member) => member !== leader && member !== lastKilled) ?? members[1];
          await follower.restart();
          churn.push(`restarted ${follower.endpoint}`);
        }
        // A member back up needs a moment to rejoin before the next one may go: never two down.
        await sleep(2_500);
      }
    } finally {
      // Every member runs again, whatever happened above.
      for (const member of members) if (!member.pid() || !isAlive(member.pid()!)) await member.restart();
    }
    await sleep(3_000);
    writing = false;
    await writes;

    const survivor = new Etcd3({ hosts: members.map((member) => member.endpoint) });
    try {
      const stored = await survivor.getAll().prefix("/fc/w/").exec();
      const expected = stored.kvs
        .map((kv) => ({ revision: Number(kv.mod_revision), key: kv.key.toString() }))
        .sort((a, b) => a.revision - b.revision);
      const last = expected[expected.length - 1].revision;
      await subscriber.waitForChange(last, 60_000);
      const received = subscriber.changes
        .filter((change) => change.key.startsWith("/fc/w/"))
        .map((change) => ({ revision: change.revision, key: change.key }));
      const streams = await sampled;
      console.log(
        `cluster churn: ${churn.length} faults (${churn.join("; ")}); ${acknowledged.length} writes acknowledged, ` +
          `${expected.length} stored, ${received.length} streamed; subscriber reopened ${subscriber.reopened}x, ` +
          `events ${JSON.stringify(subscriber.eventTypes())}; watch streams on the cluster max ${streams.max[WATCH_STREAMS]}` +
          (streams.stoppedEarly ? ` (sampling stopped: ${streams.stoppedEarly})` : ""),
      );

      expect(churn.length).toBeGreaterThanOrEqual(6);
      // Each attempt has its own key, so every stored key was written once.
      expect(stored.kvs.filter((kv) => kv.version !== "1").map((kv) => kv.key.toString())).toEqual([]);
      expect(expected.map((entry) => entry.revision)).toEqual(expect.arrayContaining(acknowledged));
      expect(received).toEqual(expected);
      expect(subscriber.eventTypes().filter((type) => type === "compacted" || type === "reset")).toEqual([]);
      expect(streams.stoppedEarly).toBeUndefined();
      expect(streams.max[WATCH_STREAMS]).toBeLessThanOrEqual(MAX_WATCH_STREAMS_PER_CLUSTER);
      await expectIndexMatchesScan(index, getCluster(), survivor, 30_000);
    } finally {
      survivor.close();
      writer.close();
      await subscriber.close();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
