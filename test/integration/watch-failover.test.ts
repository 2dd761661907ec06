import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noop } from "cockatiel";
import { Etcd3 } from "etcd3";
import { configureWatchHubs, getWatchHubStats } from "@/lib/etcd/watch-hub";
import { configureWatches } from "@/lib/etcd/watch";
import { encodeKeyParam } from "@/lib/keys";
import type { WatchEventDto } from "@/lib/api/dto";
import { scratchDir, startEtcdCluster, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { openWatch, type SseEvent, type SseStream } from "./watch-sse";

// A three-member etcd cluster: the hub's watch survives losing the member it streams from (the
// leader), without losing or repeating a change, and reports a watch that fell behind compaction.

let members: EtcdProcess[];

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hubOf = (prefix: string) => getWatchHubStats().perHub.find((hub) => hub.prefix === prefix);
const memberAt = (endpoint: string | null | undefined) => members.find((member) => member.endpoint === endpoint);

/** Puts `key` until etcd acknowledges it, each retry under a new key so every write stays distinct. */
/**
 * A client whose calls etcd3 never retries by itself: a put whose answer was lost in the failover
 * would otherwise be sent again under the same name and stored twice, which putUntilAcknowledged
 * avoids by naming each of its own attempts.
 */
function writerTo(endpoints: string[]): Etcd3 {
  return new Etcd3({ hosts: endpoints, faultHandling: { global: noop } });
}

async function putUntilAcknowledged(writer: Etcd3, key: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return Number((await writer.put(`${key}-try${attempt}`).value("v")).header.revision);
    } catch {
      await sleep(50);
    }
  }
}

async function statusOf(member: EtcdProcess): Promise<{ memberId: string; leader: string }> {
  const client = new Etcd3({ hosts: member.endpoint });
  try {
    const status = await client.maintenance.status();
    return { memberId: String(status.header.member_id), leader: String(status.leader) };
  } finally {
    client.close();
  }
}

/** Makes `member` the leader (etcd's move-leader, asked of the current leader). */
async function makeLeader(member: EtcdProcess): Promise<void> {
  const target = await statusOf(member);
  for (let attempt = 0; attempt < 50; attempt++) {
    const { leader } = await statusOf(member);
    if (leader === target.memberId) return;
    const current = await Promise.all(members.map(async (candidate) => ({ candidate, status: await statusOf(candidate) })));
    const leaderMember = current.find(({ status }) => status.memberId === leader)?.candidate;
    if (leaderMember) {
      const client = new Etcd3({ hosts: leaderMember.endpoint });
      await client.maintenance.moveLeader({ targetID: target.memberId }).catch(() => undefined);
      client.close();
    }
    await sleep(200);
  }
  throw new Error("could not move the leadership");
}

/** Reads change events in the background until stopped. */
function collectChanges(stream: SseStream): { events: WatchEventDto[]; others: SseEvent[]; stop: () => void } {
  const events: WatchEventDto[] = [];
  const others: SseEvent[] = [];
  let running = true;
  void (async () => {
    while (running) {
      const event = await stream.next(60_000).catch(() => null);
      if (!event) return;
      if (event.event === "message") events.push(JSON.parse(event.data) as WatchEventDto);
      // Reports of the server's own watch state are not positions in the stream.
      else if (!["progress", "reconnecting", "live"].includes(event.event)) others.push(event);
    }
  })();
  return { events, others, stop: () => (running = false) };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(50);
  }
}

async function handLeadershipAwayFrom(member: EtcdProcess): Promise<void> {
  const client = new Etcd3({ hosts: member.endpoint });
  try {
    const status = await client.maintenance.status({});
    if (String(status.leader) !== String(status.header.member_id)) return;
    const { members: list } = await client.cluster.memberList({});
    const target = list.find((candidate) => String(candidate.ID) !== String(status.header.member_id))!;
    await client.maintenance.moveLeader({ targetID: target.ID });
    for (let i = 0; i < 100; i++) {
      const after = await client.maintenance.status({});
      if (String(after.leader) !== String(after.header.member_id) && String(after.leader) !== "0") return;
      await sleep(50);
    }
    throw new Error("leadership did not move");
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  members = await startEtcdCluster(3, { dataRoot: scratchDir(join(tmpdir(), "etcdlens-test"), "watch-cluster"), quiet: true });
  process.env.ETCDCTL_ENDPOINTS = members.map((member) => member.endpoint).join(",");
  configureWatchHubs({ progressMs: 300, graceMs: 200 });
  configureWatches({ progressMs: 300, stallMs: 1_500, backoffCapMs: 500 });
});

afterAll(async () => {
  for (const member of members ?? []) {
    try {
      process.kill(member.pid() ?? 0, "SIGCONT");
    } catch {
      // Not running: nothing to resume.
    }
  }
  await Promise.all((members ?? []).map((member) => member.stop()));
});

describe("GET /api/watch on a three-member cluster", () => {
  it("keeps delivering every change, once and in order, when the leader it streams from stops", async () => {
    const stream = await openWatch(`?prefix=${q("/fo/")}`);
    const ready = JSON.parse((await stream.nextOf(["ready"])).data).revision as number;
    const streaming = memberAt(hubOf("/fo/")?.endpoint);
    expect(streaming).toBeDefined();
    await makeLeader(streaming!);
    const collected = collectChanges(stream);

    const writer = writerTo(members.map((member) => member.endpoint));
    let writing = true;
    let written = 0;
    const writes = (async () => {
      for (let i = 0; writing; i++) {
        await putUntilAcknowledged(writer, `/fo/k${String(i).padStart(5, "0")}`);
        written += 1;
      }
    })();
    await sleep(500);
    const stoppedAt = Date.now();
    await streaming!.stop();
    // The next test needs all three members again, whatever happens here.
    try {
      await sleep(3_000);
      writing = false;
      await writes;

      const survivor = new Etcd3({ hosts: members.filter((member) => member !== streaming).map((member) => member.endpoint) });
      const stored = await survivor.getAll().prefix("/fo/").exec();
      // Each attempt has its own name, so every stored key was written once.
      expect(stored.kvs.filter((kv) => kv.version !== "1").map((kv) => kv.key.toString())).toEqual([]);
      const expected = stored.kvs
        .map((kv) => ({ revision: Number(kv.mod_revision), key: kv.key.toString() }))
        .sort((a, b) => a.revision - b.revision);
      survivor.close();
      writer.close();
      const last = expected[expected.length - 1].revision;
      await waitFor(() => collected.events.some((event) => event.revision >= last), 15_000);
      collected.stop();

      const received = collected.events.map((event) => ({ revision: event.revision, key: event.key }));
      console.log(
        `failover: ${written} writes acknowledged, ${expected.length} stored, ${received.length} streamed; ` +
          `hub reconnects ${hubOf("/fo/")?.reconnects}, now on ${hubOf("/fo/")?.endpoint} (leader ${streaming!.endpoint} stopped ${Date.now() - stoppedAt} ms ago)`,
      );
      expect(expected.length).toBeGreaterThanOrEqual(written);
      expect(expected[0].revision).toBeGreaterThan(ready);
      expect(received).toEqual(expected);
      expect(collected.others).toEqual([]);
      expect(hubOf("/fo/")?.endpoint).not.toBe(streaming!.endpoint);
    } finally {
      await stream.close();
      await streaming!.restart();
    }
  });

  it("resumes an idle prefix past a compaction of revisions that changed nothing in it, without reporting one", async () => {
    // The cluster feed watches the whole keyspace, so it has seen every revision up to the
    // compaction as an event and resumes after it, on any etcd version.
    const stream = await openWatch(`?prefix=${q("/quiet/")}`);
    const writer = writerTo(members.map((member) => member.endpoint));
    let frozen: EtcdProcess | undefined;
    let survivors: Etcd3 | undefined;
    try {
      await stream.nextOf(["ready"]);
      let latest = 0;
      for (let i = 0; i < 5; i++) latest = await putUntilAcknowledged(writer, `/busy/k${i}`);
      // The hub hears that nothing under /quiet/ changed up to the last write...
      for (let revision = 0; revision < latest;) revision = JSON.parse((await stream.nextOf(["progress"], 5_000)).data).revision;
      // ...then etcd compacts those revisions, and the member the hub streams from goes silent.
      await writer.kv.compact({ revision: latest, physical: true });
      frozen = memberAt(hubOf("/quiet/")?.endpoint)!;
      await handLeadershipAwayFrom(frozen);
      process.kill(frozen.pid()!, "SIGSTOP");
      const reconnects = hubOf("/quiet/")!.reconnects;
      await waitFor(() => (hubOf("/quiet/")?.reconnects ?? 0) > reconnects && hubOf("/quiet/")?.watching === true, 15_000);
      survivors = writerTo(members.filter((member) => member !== frozen).map((member) => member.endpoint));
      const written = await putUntilAcknowledged(survivors, "/quiet/k");
      const event = await stream.nextOf(["compacted", "message"], 15_000);
      expect(event.event).toBe("message");
      expect(JSON.parse(event.data).revision).toBe(written);
    } finally {
      if (frozen) process.kill(frozen.pid()!, "SIGCONT");
      writer.close();
      survivors?.close();
      await stream.close();
    }
  });

  it("tells every subscriber when its watch fell behind a compaction", async () => {
    const first = await openWatch(`?prefix=${q("/cp/")}`);
    const second = await openWatch(`?prefix=${q("/cp/")}`);
    await Promise.all([first.nextOf(["ready"]), second.nextOf(["ready"])]);
    const frozen = memberAt(hubOf("/cp/")?.endpoint)!;
    // The writes and the compaction must land before the hub notices the silence (1.5 s here);
    // with the frozen member leading, a new election alone can take that long on a busy machine.
    await handLeadershipAwayFrom(frozen);
    // A member that stops answering without closing its connections: the hub notices the silence.
    process.kill(frozen.pid()!, "SIGSTOP");
    const writer = writerTo(members.filter((member) => member !== frozen).map((member) => member.endpoint));
    try {
      let latest = 0;
      for (let i = 0; i < 5; i++) latest = await putUntilAcknowledged(writer, `/cp/k${i}`);
      await writer.kv.compact({ revision: latest, physical: true });
      for (const stream of [first, second]) {
        const event = await stream.nextOf(["compacted", "message"], 15_000);
        expect(event.event).toBe("compacted");
        expect(JSON.parse(event.data)).toEqual({ compactRevision: latest, revision: latest - 1 });
        // The change at the compaction revision itself is still in etcd's history, so it follows.
        expect(JSON.parse((await stream.changes(1))[0].data).revision).toBe(latest);
      }
    } finally {
      process.kill(frozen.pid()!, "SIGCONT");
      writer.close();
      await Promise.all([first.close(), second.close()]);
    }
  });
});
