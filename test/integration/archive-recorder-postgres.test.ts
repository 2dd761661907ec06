import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresArchiveStore } from "@/lib/archive/postgres-store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision } from "@/lib/etcd/watch";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { archiveSequence as archiveSequenceOf, etcdSequence as etcdSequenceOf, waitFor } from "./archive-support";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// Two dashboard replicas recording one cluster into one PostgreSQL, each a real `npm run record`
// process: only one records, and when it is killed with SIGKILL in the middle of a write burst
// the other takes over within seconds (the killed process's session ends with it, and with the
// session its advisory lock), resumes after the last revision stored, and the archive then equals
// etcd's own watch from revision 1, event for event: nothing missing, nothing twice, no gap.

const CLUSTER = "default";
const ROOT = resolve(__dirname, "../..");

let etcd: EtcdProcess;
let postgres: PostgresProcess;
let writer: Etcd3;
let connection: ClusterConnection;
let reader: PostgresArchiveStore;
const children: ChildProcess[] = [];

type Replica = { child: ChildProcess; states: string[] };

function spawnReplica(name: string): Replica {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/record.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDLENS_CONFIG: "",
      ETCDLENS_ARCHIVE_URL: postgres.url,
      ETCDLENS_DATA_DIR: join(postgres.rootDir, `unused-${name}`),
      ETCDLENS_RECORDER_LOCK_TTL_MS: "1500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const replica: Replica = { child, states: [] };
  let pending = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith(`${CLUSTER}: `)) replica.states.push(line.slice(CLUSTER.length + 2));
  });
  child.stderr?.resume();
  children.push(child);
  return replica;
}

const latestState = (replica: Replica) => replica.states[replica.states.length - 1];

const etcdSequence = (through: number) => etcdSequenceOf(connection, 1, through);
const archiveSequence = (through: number) => archiveSequenceOf(reader, CLUSTER, 1, through);

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([
    startTestEtcd("archive-recorder-postgres"),
    startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-recorder-pg"), quiet: true }),
  ]);
  writer = seedingClient(etcd);
  connection = connectionTo(etcd);
  reader = await openPostgresStore(postgres.url);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await reader?.close();
  writer?.close();
  connection?.client.close();
  await etcd?.stop();
  await postgres?.remove();
});

describe("two replicas recording into one PostgreSQL", () => {
  it("records with one recorder; after SIGKILL of it mid-burst the other takes over with nothing missing, nothing twice", async () => {
    const seeded = Number((await writer.put("/replicas/seed").value("before the recorders")).header.revision);
    const replicas = [spawnReplica("a"), spawnReplica("b")];
    await waitFor("the archive holds the seed", async () => (await reader.lastRecordedRevision(CLUSTER)) >= seeded, 60_000);
    await waitFor("one replica records and the other stands by", () => {
      const states = replicas.map(latestState).sort();
      return states[0] === "recording" && states[1]?.startsWith("standing by") === true;
    });
    const recording = replicas.find((replica) => latestState(replica) === "recording")!;
    const standby = replicas.find((replica) => replica !== recording)!;

    let written = 0;
    const burst = Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = lane; i < 400; i += 4) {
          await writer.put(`/replicas/pods/p${i % 40}`).value(`{"status":{"restartCount":${i}}}`);
          written += 1;
        }
      }),
    );
    await waitFor("a third of the burst is written", () => written >= 130);
    recording.child.kill("SIGKILL");
    await new Promise((resolve) => recording.child.once("exit", resolve));
    const storedByTheKilled = await reader.lastRecordedRevision(CLUSTER);
    // The bound for a takeover; here it takes about a second (the standby's next try).
    await waitFor("the standby replica records", () => latestState(standby) === "recording", 10_000);
    await burst;

    const last = await readCurrentRevision(connection);
    // The burst went on after the kill: the standby had revisions to store.
    expect(storedByTheKilled).toBeLessThan(last);
    await waitFor(`the archive holds revision ${last}`, async () => (await reader.lastRecordedRevision(CLUSTER)) >= last);
    const fromEtcd = await etcdSequence(last);
    const fromArchive = await archiveSequence(last);
    expect(fromArchive.length).toBe(fromEtcd.length);
    expect(fromArchive).toEqual(fromEtcd);
    expect(new Set(fromArchive).size).toBe(fromArchive.length);
    expect((await reader.coverage(CLUSTER)).gaps).toEqual([]);
  });
});
