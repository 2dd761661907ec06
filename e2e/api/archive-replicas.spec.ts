import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { Etcd3, type IKeyValue } from "etcd3";
import pg from "pg";
import type { ClusterDto } from "@/lib/api/dto";
import { findFreePort, scratchDir, startEtcd, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// Dashboard replicas sharing one archive, each the real production build (`next start`) that
// records from its boot (instrumentation.ts): exactly one records a cluster and the others stand
// by, as /api/cluster says; when the recording replica dies (kill -9) or is stopped (SIGTERM, which
// gives the lock up at once), another takes over within the 10 s, and the archive holds
// every revision of etcd's own watch from revision 1 exactly once, with no gap.

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const PREFIX = "/replicas/";

type Replica = { name: string; base: string; server: ChildProcess };

const servers: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

test.afterAll(async () => {
  for (const server of servers) if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const port = await findFreePort();
  const server = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ETCDLENS_CONFIG: "", PORT: String(port), ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  servers.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${name} answers`, async () => ((await fetch(`${base}/api/healthz`)).ok ? true : undefined), 60_000);
  return { name, base, server };
}

async function archiveOf(replica: Replica): Promise<ClusterDto["archive"]> {
  const response = await fetch(`${replica.base}/api/cluster`);
  if (!response.ok) throw new Error(`${replica.name}: /api/cluster answered ${response.status}`);
  return ((await response.json()) as ClusterDto).archive;
}

/** Waits until exactly one replica records and every other stands by; returns the recording one. */
async function oneRecording(replicas: Replica[], timeoutMs = 30_000): Promise<Replica> {
  return waitFor(
    "one replica records and the others stand by",
    async () => {
      const states = await Promise.all(replicas.map(async (replica) => (await archiveOf(replica)).recorder.state));
      const recording = replicas.filter((_, at) => states[at] === "recording");
      const standingBy = states.filter((state) => state === "standby").length;
      return recording.length === 1 && standingBy === replicas.length - 1 ? recording[0] : undefined;
    },
    timeoutMs,
  );
}

/** Writes to etcd until stopped: updates of 30 Pods from three writers at once, and now and then a delete. */
function writeContinuously(client: Etcd3): { written: () => number; stop: () => Promise<number> } {
  let stopped = false;
  let written = 0;
  let last = 0;
  const lanes = Array.from({ length: 3 }, async (_, lane) => {
    for (let i = lane; !stopped; i += 3) {
      const key = `${PREFIX}pods/p${i % 30}`;
      const response =
        i % 17 === 0 ? await client.delete().key(key).exec() : await client.put(key).value(`{"status":{"restartCount":${i}}}`).exec();
      last = Math.max(last, Number(response.header.revision));
      written += 1;
    }
  });
  const stop = async () => {
    stopped = true;
    await Promise.all(lanes);
    return last;
  };
  // A test that failed midway leaves the writers running: they stop before etcd does.
  cleanups.unshift(() =>
    stop().then(
      () => undefined,
      () => undefined,
    ),
  );
  return { written: () => written, stop };
}

function describeEvent(
  type: "PUT" | "DELETE",
  key: Buffer,
  revision: number,
  kv: { create: number; version: number; lease: string },
): string {
  const head = `${revision} ${type} ${key.toString("hex")}`;
  return type === "DELETE" ? head : `${head} c${kv.create} v${kv.version} l${kv.lease}`;
}

/** Every event etcd's own watch gives from revision 1 through `through`. */
async function etcdSequence(client: Etcd3, through: number): Promise<string[]> {
  const events: string[] = [];
  const watcher = await client.watch().prefix(PREFIX).startRevision("1").create();
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.on("error", reject);
      watcher.on("data", (response) => {
        for (const event of response.events) {
          const kv: IKeyValue = event.kv;
          const revision = Number(kv.mod_revision);
          if (revision > through) continue;
          const type = event.type === "Delete" ? "DELETE" : "PUT";
          events.push(
            describeEvent(type, kv.key, revision, { create: Number(kv.create_revision), version: Number(kv.version), lease: kv.lease }),
          );
        }
        if (Number(response.header.revision) >= through && events.length > 0 && events[events.length - 1].startsWith(`${through} `))
          resolve();
      });
    });
  } finally {
    await watcher.cancel();
  }
  return events;
}

/** Every event row the PostgreSQL archive holds for the cluster, in revision order. */
async function archiveSequence(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      key: Buffer;
      revision: string;
      deleted: boolean;
      create_revision: string;
      version: string;
      lease: string;
    }>(
      `SELECT k.key, v.revision, v.deleted, v.create_revision, v.version, v.lease
         FROM etcdlens.versions v JOIN etcdlens.keys k ON k.id = v.key_id
         JOIN etcdlens.clusters c ON c.id = v.cluster_id
        WHERE c.name = 'default'
        ORDER BY v.revision, v.position`,
    );
    return rows.map((row) =>
      describeEvent(row.deleted ? "DELETE" : "PUT", row.key, Number(row.revision), {
        create: Number(row.create_revision),
        version: Number(row.version),
        lease: row.lease,
      }),
    );
  } finally {
    await client.end();
  }
}

async function startPrivateEtcd(name: string): Promise<EtcdProcess> {
  const etcd = await startEtcd({ dataDir: scratchDir(join(tmpdir(), "etcdlens-e2e"), name), quiet: true });
  cleanups.push(() => etcd.stop());
  return etcd;
}

test.describe("dashboard replicas on one archive", () => {
  test.describe.configure({ mode: "serial" });

  test("on PostgreSQL: one records; after kill -9 of it the other takes over with every revision once and no gap", async () => {
    test.setTimeout(180_000);
    const etcd = await startPrivateEtcd("replicas-pg-etcd");
    const postgres: PostgresProcess = await startPostgres({
      rootDir: scratchDir(join(tmpdir(), "etcdlens-e2e"), "replicas-pg"),
      quiet: true,
    });
    cleanups.push(() => postgres.remove());
    const env = {
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDLENS_ARCHIVE_URL: postgres.url,
      ETCDLENS_DATA_DIR: scratchDir(join(tmpdir(), "etcdlens-e2e"), "replicas-pg-unused"),
      ETCDLENS_RECORDER_LOCK_TTL_MS: "3000",
    };
    const replicas = await Promise.all([startReplica("a", env), startReplica("b", env)]);
    const recording = await oneRecording(replicas);
    const survivor = replicas.find((replica) => replica !== recording)!;

    const client = new Etcd3({ hosts: etcd.endpoint });
    cleanups.push(async () => client.close());
    const writes = writeContinuously(client);
    await waitFor("300 writes", async () => (writes.written() >= 300 ? true : undefined), 60_000);
    recording.server.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor(
      `${survivor.name} records`,
      async () => ((await archiveOf(survivor)).recorder.state === "recording" ? true : undefined),
      10_000,
    );
    const takeover = Date.now() - killedAt;
    // Writes go on after the takeover, so the survivor stores revisions of its own watch too.
    const afterTakeover = writes.written() + 300;
    await waitFor("300 more writes", async () => (writes.written() >= afterTakeover ? true : undefined), 60_000);
    const last = await writes.stop();

    const caughtUp = await waitFor(
      `the archive holds revision ${last}`,
      async () => {
        const archive = await archiveOf(survivor);
        return (archive.coverage?.lastRevision ?? 0) >= last ? archive : undefined;
      },
      30_000,
    );
    expect(caughtUp.coverage).toMatchObject({ engine: "postgres", gaps: [] });
    expect(caughtUp.coverage?.recordingSince).not.toBeNull();
    const fromEtcd = await etcdSequence(client, last);
    const fromArchive = await archiveSequence(postgres.url);
    expect(fromEtcd.length).toBeGreaterThan(600);
    expect(fromArchive.length).toBe(fromEtcd.length);
    expect(new Set(fromArchive).size).toBe(fromArchive.length);
    expect(fromArchive).toEqual(fromEtcd);
    console.log(
      `archive-replicas: PostgreSQL takeover ${takeover} ms after kill -9, ${fromArchive.length} events through revision ${last}`,
    );
  });

  test("on one SQLite file: SIGTERM gives the lock up, so the other takes over long before the lock's TTL", async () => {
    test.setTimeout(120_000);
    const etcd = await startPrivateEtcd("replicas-sqlite-etcd");
    const dataDir = scratchDir(join(tmpdir(), "etcdlens-e2e"), "replicas-sqlite");
    mkdirSync(dataDir, { recursive: true });
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // A minute: a takeover within 10 s can only come from the stopped replica giving its lock up.
    const env = {
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDLENS_ARCHIVE_URL: "",
      ETCDLENS_DATA_DIR: dataDir,
      ETCDLENS_RECORDER_LOCK_TTL_MS: "60000",
    };
    const replicas = await Promise.all([startReplica("c", env), startReplica("d", env)]);
    const recording = await oneRecording(replicas);
    const survivor = replicas.find((replica) => replica !== recording)!;

    const client = new Etcd3({ hosts: etcd.endpoint });
    cleanups.push(async () => client.close());
    const writes = writeContinuously(client);
    await waitFor("100 writes", async () => (writes.written() >= 100 ? true : undefined), 60_000);
    recording.server.kill("SIGTERM");
    await new Promise((resolve) => recording.server.once("exit", resolve));
    await waitFor(
      `${survivor.name} records`,
      async () => ((await archiveOf(survivor)).recorder.state === "recording" ? true : undefined),
      10_000,
    );
    const last = await writes.stop();
    const caughtUp = await waitFor(
      `the archive holds revision ${last}`,
      async () => {
        const archive = await archiveOf(survivor);
        return (archive.coverage?.lastRevision ?? 0) >= last ? archive : undefined;
      },
      30_000,
    );
    expect(caughtUp.coverage).toMatchObject({ engine: "sqlite", gaps: [] });
  });
});
