import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getCluster } from "@/app/api/cluster/route";
import { findFreePort, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";
import type { ClusterDto } from "@/lib/api/dto";
import { startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";

// /api/cluster with one live endpoint and one that nothing listens on: the dead one is reported
// down with its error, the rest of the answer comes from the live one.

let etcd: EtcdProcess;
let deadEndpoint: string;
let notADirectory: string;

beforeAll(async () => {
  etcd = await startTestEtcd("cluster-api");
  deadEndpoint = `127.0.0.1:${await findFreePort()}`;
  process.env.ETCDCTL_ENDPOINTS = `${etcd.endpoint},${deadEndpoint}`;
  process.env.ETCDLENS_REQUEST_TIMEOUT_MS = "1500";
  // An archive that cannot open: its data directory is a file. The rest of the answer is unharmed.
  notADirectory = join(process.env.ETCDLENS_DATA_DIR!, "a-file");
  writeFileSync(notADirectory, "");
  process.env.ETCDLENS_DATA_DIR = join(notADirectory, "archive");
});

afterAll(async () => {
  await stopArchiveRecorders();
  await etcd?.stop();
});

describe("GET /api/cluster", () => {
  it("lists members, endpoint status, alarms and the compaction revision", async () => {
    const writer = seedingClient(etcd);
    const first = Number((await writer.put("/c/a").value("1").exec()).header.revision);
    await writer.put("/c/a").value("2").exec();
    await writer.kv.compact({ revision: first + 1, physical: true });
    writer.close();

    const { status, body } = await callRoute(getCluster, "/api/cluster");
    expect(status, JSON.stringify(body)).toBe(200);
    const cluster = body as ClusterDto;
    expect(cluster.members).toHaveLength(1);
    expect(cluster.members[0]).toMatchObject({ name: "etcdlens", isLearner: false });
    expect(cluster.members[0].idHex).toBe(BigInt(cluster.members[0].id).toString(16));
    expect(cluster.compactRevision).toBe(first + 1);
    expect(cluster.alarms).toEqual([]);

    const live = cluster.endpoints.find((endpoint) => endpoint.endpoint === etcd.endpoint);
    expect(live).toMatchObject({ ok: true, isLeader: true, version: expect.stringMatching(/^3\./) });
    expect(live?.dbSize).toBeGreaterThan(0);
    const dead = cluster.endpoints.find((endpoint) => endpoint.endpoint === deadEndpoint);
    expect(dead?.ok).toBe(false);
    expect(dead?.error).toBeTruthy();
  });

  it("says the archive is failing, in words without a server path, when it cannot open", async () => {
    const { status, body } = await callRoute(getCluster, "/api/cluster");
    expect(status).toBe(200);
    const { archive } = body as ClusterDto;
    expect(archive.coverage).toBeNull();
    expect(archive.recorder.state).toBe("failing");
    const error = archive.recorder.state === "failing" ? archive.recorder.error : "";
    expect(error).toMatch(/ENOTDIR|not a directory/i);
    expect(error).not.toContain(tmpdir());
    expect(error).not.toMatch(/\n\s+at /);
  });

  it("starts recording once the archive can open, without a restart", async () => {
    const logs: string[] = [];
    startArchiveRecorders((message) => logs.push(message));
    const read = async () => ((await callRoute(getCluster, "/api/cluster")).body as ClusterDto).archive;
    expect((await read()).recorder.state).toBe("failing");
    // The folder becomes usable (a volume mounted late, a permission fixed): the next try opens it.
    rmSync(notADirectory);
    let archive = await read();
    while (archive.recorder.state !== "recording") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      archive = await read();
    }
    expect(archive.coverage?.engine).toBe("sqlite");
    // One line for the failure, however many tries it took.
    expect(logs.filter((line) => line.includes("cannot be opened"))).toHaveLength(1);
  });

  it("answers the header alone with view=header", async () => {
    const { status, body } = await callRoute(getCluster, "/api/cluster?view=header");
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["clusterId", "memberId", "raftTerm", "revision"]);
  });
});
