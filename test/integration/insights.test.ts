import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getEtcdFigures } from "@/app/api/insights/etcd/route";
import { GET as getWriters } from "@/app/api/insights/writers/route";
import { GET as getGrowth } from "@/app/api/insights/growth/route";
import type { InsightsEtcdDto, InsightsGrowthDto, InsightsWritersDto } from "@/lib/api/dto";
import { getArchiveStore, recorderState, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import type { ArchiveStore, ArchivedRevision, WriteBucketRow } from "@/lib/archive/store";
import { encodeKubernetesObject } from "@/lib/decode";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { waitFor } from "./archive-support";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The Insights page's figures against what the test wrote and etcd's own answers: a real etcd,
// the SQLite archive its recorder fills, and the growth query on SQLite and PostgreSQL alike.

let etcd: EtcdProcess;
let postgres: PostgresProcess;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([
    startTestEtcd("insights"),
    startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "insights-postgres"), quiet: true }),
  ]);
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_RECORDER_LOCK_TTL_MS = "3000";
});

afterAll(async () => {
  await stopArchiveRecorders();
  await etcd?.stop();
  await postgres?.remove();
});

function pod(namespace: string, name: string, managers: [string, string][]) {
  return encodeKubernetesObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      managedFields: managers.map(([manager, time]) => ({ manager, time, operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1" })),
    },
    spec: { containers: [{ name: "app", image: "nginx:1.25" }] },
  });
}

describe("Insights against a real etcd and its archive", () => {
  it("reports etcd's own status, the busiest writers from the watch and growth from the archive", async () => {
    startArchiveRecorders(() => undefined);
    // Growth counts revisions that arrived live: write once the recorder follows etcd.
    await waitFor("the recorder recording", () => recorderState("default")?.state === "recording");
    // The first request starts counting; nothing is counted yet.
    const idle = await callRoute(getWriters, "/api/insights/writers");
    expect(idle.status, JSON.stringify(idle.body)).toBe(200);
    expect((idle.body as InsightsWritersDto).totalWrites).toBe(0);

    const writer = seedingClient(etcd);
    const early = "2026-01-01T10:00:00Z";
    const late = "2026-01-01T12:00:00Z";
    for (let i = 0; i < 6; i++) {
      // kubelet wrote last although kube-scheduler is listed last: the latest time decides.
      await writer.put(`/registry/pods/shop/web-${i}`).value(
        Buffer.from(
          pod("shop", `web-${i}`, [
            ["kubelet", late],
            ["kube-scheduler", early],
          ]),
        ),
      );
    }
    for (let i = 0; i < 3; i++) {
      await writer.put(`/registry/pods/ops/job-${i}`).value(Buffer.from(pod("ops", `job-${i}`, [["kube-controller-manager", late]])));
    }
    for (let i = 0; i < 4; i++) await writer.put(`/app/config/${i}`).value("x".repeat(100));
    await writer.delete().key("/app/config/0");
    const last = Number((await writer.put("/other").value("1").exec()).header.revision);

    let writers: InsightsWritersDto | undefined;
    await waitFor("the writes counted", async () => {
      writers = (await callRoute(getWriters, "/api/insights/writers")).body as InsightsWritersDto;
      return writers.totalWrites >= 15;
    });
    expect(writers!.totalWrites).toBe(15);
    expect(writers!.prefixes.map(({ label, writes }) => [label, writes])).toEqual([
      ["/registry/", 9],
      ["/app/", 5],
      ["/other", 1],
    ]);
    expect(writers!.kubernetes?.kinds.map(({ label, writes }) => [label, writes])).toEqual([["Pod", 9]]);
    expect(writers!.kubernetes?.namespaces.map(({ label, writes }) => [label, writes])).toEqual([
      ["shop", 6],
      ["ops", 3],
    ]);
    expect(writers!.kubernetes?.managers.map(({ label, writes }) => [label, writes])).toEqual([
      ["kubelet", 6],
      ["kube-controller-manager", 3],
    ]);
    expect(writers!.prefixes[0].writesPerMinute).toBeCloseTo(9 / writers!.minutes, 1);

    // etcd's figures, compared with its own Status and alarm list asked directly.
    // Raft's index moves on by itself (etcd's own entries), so it is bounded by Status before and after.
    const before = await writer.maintenance.status();
    const figures = await callRoute(getEtcdFigures, "/api/insights/etcd");
    const status = await writer.maintenance.status();
    expect(figures.status, JSON.stringify(figures.body)).toBe(200);
    const dto = figures.body as InsightsEtcdDto;
    const [member] = dto.members;
    expect(member).toMatchObject({
      ok: true,
      endpoint: etcd.endpoint,
      version: status.version,
      dbSize: Number(status.dbSize),
      dbSizeInUse: Number(status.dbSizeInUse),
      raftTerm: Number(status.raftTerm),
      isLeader: true,
      quotaBytes: 2 * 1024 ** 3,
      reclaimableBytes: Number(status.dbSize) - Number(status.dbSizeInUse),
    });
    expect(member.raftIndex).toBeGreaterThanOrEqual(Number(before.raftIndex));
    expect(member.raftIndex).toBeLessThanOrEqual(Number(status.raftIndex));
    expect(member.applyLag).toBe(member.raftIndex! - member.raftAppliedIndex!);
    expect(member.reclaim).toMatch(/^defragmenting would reclaim/);
    expect(dto.quotaSource).toBe("default");
    expect(dto.alarms).toEqual([]);

    // Growth: once the recorder has stored the writes, the folders under /registry/ and /app/.
    const store = (await getArchiveStore())!;
    await waitFor("the archive caught up", async () => (await store.lastRecordedRevision("default")) >= last);
    const growth = (await callRoute(getGrowth, "/api/insights/growth?prefix=/registry/")).body as InsightsGrowthDto;
    expect(growth.archive).toBe("on");
    if (growth.archive !== "on") return;
    expect(growth.bucketStarts).toHaveLength(288);
    expect(growth.series.map((line) => [line.folder, line.totalWrites])).toEqual([["pods/", 9]]);
    expect(growth.series[0].totalBytes).toBeGreaterThan(0);
    const app = (await callRoute(getGrowth, "/api/insights/growth?prefix=/app/&range=7d")).body as InsightsGrowthDto;
    expect(app.archive === "on" && app.series.map((line) => [line.folder, line.totalWrites])).toEqual([["config/", 5]]);
    const week = app.archive === "on" ? app.series[0] : undefined;
    // Four 100-byte values (stored deflated) and a delete that adds no bytes, all in this hour's bucket.
    expect(week?.writesPerMinute.filter((rate) => rate > 0)).toEqual([5 / 60].map((rate) => Math.round(rate * 1000) / 1000));

    const bad = await callRoute(getGrowth, "/api/insights/growth?range=1y");
    expect(bad).toEqual({ status: 400, body: { error: { code: "bad_request", message: '"range": is "24h" or "7d"' } } });

    // An alarm raised (by the test's own client: the dashboard only lists them) shows with its member.
    const memberId = (await writer.maintenance.status()).header.member_id;
    await writer.maintenance.alarm({ action: "Activate", memberID: memberId, alarm: "Nospace" });
    const alarmed = (await callRoute(getEtcdFigures, "/api/insights/etcd")).body as InsightsEtcdDto;
    expect(alarmed.alarms).toEqual([{ memberId: String(memberId), memberIdHex: BigInt(memberId).toString(16), alarm: "NOSPACE" }]);
    writer.close();
  });
});

describe("writesPerBucket on SQLite and PostgreSQL", () => {
  const HOUR = 3_600_000;
  const T0 = Date.UTC(2026, 0, 1);
  const sizes = { "/registry/pods/a": 300, "/registry/pods/b": 500, "/registry/leases/l": 70, "/registry/x": 40, "/other/k": 900 };

  // Incompressible values: the archive stores them as they are, so bytes are the values' sizes.
  function revisions(): ArchivedRevision[] {
    const out: ArchivedRevision[] = [];
    let revision = 1;
    const put = (key: string, at: number) => {
      const value = randomBytes(sizes[key as keyof typeof sizes]);
      out.push({
        revision,
        arrivedAt: at,
        events: [{ type: "PUT", key: Buffer.from(key), revision, createRevision: revision, version: 1, lease: "0", value }],
      });
      revision += 1;
    };
    put("/registry/pods/a", T0 + 10);
    put("/registry/pods/b", T0 + 20);
    put("/registry/leases/l", T0 + 30);
    put("/registry/x", T0 + HOUR + 5);
    put("/other/k", T0 + HOUR + 6);
    put("/registry/pods/a", T0 + 2 * HOUR + 1);
    out.push({
      revision,
      arrivedAt: T0 + 2 * HOUR + 2,
      events: [
        {
          type: "DELETE",
          key: Buffer.from("/registry/pods/b"),
          revision,
          createRevision: 0,
          version: 0,
          lease: "0",
          value: Buffer.alloc(0),
        },
      ],
    });
    // The next hour: outside the range asked.
    revision += 1;
    put("/registry/pods/a", T0 + 3 * HOUR);
    return out;
  }

  async function rowsOf(store: ArchiveStore, prefix: string): Promise<string[]> {
    const rows: WriteBucketRow[] = await store.writesPerBucket("c", {
      prefix: Buffer.from(prefix),
      fromMs: T0,
      toMs: T0 + 3 * HOUR,
      bucketMs: HOUR,
      maxRows: 100,
    });
    return rows.map((row) => `${(row.bucketStart - T0) / HOUR} ${row.folder.toString()} ${row.writes} ${row.bytes}`).sort();
  }

  it("groups by bucket and the folder under the prefix, identically on both engines", async () => {
    const sqlite = openSqliteStore(scratchDir(join(tmpdir(), "etcdlens-test"), "insights-sqlite"));
    const pgStore = await openPostgresStore(postgres.url);
    try {
      const history = revisions();
      for (const store of [sqlite, pgStore]) {
        expect(await store.tryLockRecorder("c", "test", 60_000)).toBe(true);
        await store.appendRevisions("c", "test", history);
      }
      const expected = ["0 leases/ 1 70", "0 pods/ 2 800", "1 x 1 40", "2 pods/ 2 300"];
      expect(await rowsOf(sqlite, "/registry/")).toEqual(expected);
      expect(await rowsOf(pgStore, "/registry/")).toEqual(expected);
      const everything = ["0 registry/ 3 870", "1 other/ 1 900", "1 registry/ 1 40", "2 registry/ 2 300"];
      expect(await rowsOf(sqlite, "/")).toEqual(everything);
      expect(await rowsOf(pgStore, "/")).toEqual(everything);
      expect(await rowsOf(pgStore, "")).toEqual(["0 / 3 870", "1 / 2 940", "2 / 2 300"]);
      expect(await rowsOf(sqlite, "")).toEqual(["0 / 3 870", "1 / 2 940", "2 / 2 300"]);
      expect(
        await sqlite.writesPerBucket("unknown", { prefix: Buffer.alloc(0), fromMs: 0, toMs: T0 * 2, bucketMs: HOUR, maxRows: 10 }),
      ).toEqual([]);
    } finally {
      await sqlite.close();
      await pgStore.close();
    }
  });
});
