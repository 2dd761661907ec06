import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getCluster } from "@/app/api/cluster/route";
import type { ClusterDto } from "@/lib/api/dto";
import { startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { findFreePort, scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { callRoute, startTestEtcd } from "./support";

// A dashboard booted while its PostgreSQL is not up yet (a replica started before its database):
// it keeps serving, says "failing" with a message and logs one line, neither naming the URL nor
// its password, and starts recording by itself once PostgreSQL answers.

const PASSWORD = "s3cret-pw";
let etcd: EtcdProcess;
let postgres: PostgresProcess | undefined;
let port: number;

beforeAll(async () => {
  etcd = await startTestEtcd("cluster-archive-postgres");
  port = await findFreePort();
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  // The harness trusts local connections, so the password is only carried, as a real URL would.
  process.env.ETCDLENS_ARCHIVE_URL = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/etcdlens`;
});

afterAll(async () => {
  await stopArchiveRecorders();
  await etcd?.stop();
  await postgres?.remove();
});

async function readArchive(): Promise<ClusterDto["archive"]> {
  const { status, body } = await callRoute(getCluster, "/api/cluster");
  expect(status, JSON.stringify(body)).toBe(200);
  return (body as ClusterDto).archive;
}

describe("GET /api/cluster: an archive on a PostgreSQL that is not up yet", () => {
  it("fails without naming the URL, then records once PostgreSQL answers", async () => {
    const logs: string[] = [];
    startArchiveRecorders((message) => logs.push(message));
    let archive = await readArchive();
    while (archive.recorder.state === "starting") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      archive = await readArchive();
    }
    expect(archive.coverage).toBeNull();
    expect(archive.recorder.state).toBe("failing");
    expect(JSON.stringify(archive)).not.toContain(PASSWORD);
    expect(JSON.stringify(archive)).not.toContain("postgres://");

    postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "cluster-archive-pg"), port, quiet: true });
    while (archive.recorder.state !== "recording") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      archive = await readArchive();
    }
    expect(archive.coverage?.engine).toBe("postgres");
    // One line per reason, however many tries: a PostgreSQL coming up changes the reason once or
    // twice (refused, then "starting up"), which is worth a line; the same reason again is not.
    const failures = logs.filter((line) => line.includes("cannot be opened"));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length, failures.join("\n")).toBe(new Set(failures).size);
    expect(logs.join("\n")).not.toContain(PASSWORD);
    expect(logs.join("\n")).toContain("PostgreSQL (ETCDLENS_ARCHIVE_URL)");
  });
});
