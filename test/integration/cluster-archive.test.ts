import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getCluster } from "@/app/api/cluster/route";
import type { ClusterDto } from "@/lib/api/dto";
import { startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// /api/cluster says what the archive holds and what this replica's recorder does, the way the
// server's boot (instrumentation.ts) starts it: into the SQLite file of ETCDLENS_DATA_DIR (a temp
// folder here, see test/support/isolate-archive.ts).

let etcd: EtcdProcess;

beforeAll(async () => {
  etcd = await startTestEtcd("cluster-archive");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_RECORDER_LOCK_TTL_MS = "3000";
});

afterAll(async () => {
  await stopArchiveRecorders();
  await etcd?.stop();
});

async function readArchive(): Promise<ClusterDto["archive"]> {
  const { status, body } = await callRoute(getCluster, "/api/cluster");
  expect(status, JSON.stringify(body)).toBe(200);
  return (body as ClusterDto).archive;
}

async function waitForArchive(done: (archive: ClusterDto["archive"]) => boolean): Promise<ClusterDto["archive"]> {
  for (;;) {
    const archive = await readArchive();
    if (done(archive)) return archive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("GET /api/cluster: the archive", () => {
  it("is off until the recorders start, then records, and is off again once they stop", async () => {
    const writer = seedingClient(etcd);
    const before = Number((await writer.put("/a/before").value("1").exec()).header.revision);

    const idle = await readArchive();
    expect(idle.recorder).toEqual({ state: "off" });
    expect(idle.coverage).toMatchObject({ engine: "sqlite", recordingSince: null, firstRevision: null, lastRevision: 0, gaps: [] });

    startArchiveRecorders(() => undefined);
    await waitForArchive((archive) => archive.recorder.state === "recording");
    const after = Number((await writer.put("/a/after").value("2").exec()).header.revision);
    writer.close();
    const caughtUp = await waitForArchive((archive) => (archive.coverage?.lastRevision ?? 0) >= after);
    expect(caughtUp.recorder).toEqual({ state: "recording", lastRevision: after });
    expect(caughtUp.coverage?.engine).toBe("sqlite");
    expect(Date.parse(caughtUp.coverage?.recordingSince ?? "")).toBeLessThanOrEqual(Date.now());
    // The baseline at first start holds what was written before the recorder ran.
    expect(caughtUp.coverage?.firstRevision).toBeLessThanOrEqual(before);
    expect(caughtUp.coverage?.gaps).toEqual([]);

    await stopArchiveRecorders();
    expect((await readArchive()).recorder).toEqual({ state: "off" });
  });
});
