import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeReadFrom } from "@/components/archive/read-from-note";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { getArchiveStore, recorderState, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// A cluster whose archive leaves a prefix out (ETCDLENS_CONFIG clusters[].archive.exclude), read
// past etcd's compaction through the routes, against a real etcd and the dashboard's own recorder
// on a real SQLite file: a key under the prefix has no archived history, and every view says so
// ("not archived: excluded by configuration (/xr/events/)") instead of a bare 410, a 404 or a
// history that claims to be whole; a key outside it reaches back into the archive as usual.

const EXCLUDED = "excluded by configuration (/xr/events/)";
let etcd: EtcdProcess;
let writer: Etcd3;
const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-excluded-"));
const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value: string) => Number((await writer.put(key).value(value)).header.revision);
const revisions = { event: [] as number[], pod: [] as number[], compaction: 0 };

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  etcd = await startTestEtcd("archive-excluded");
  const config = join(dir, "clusters.yaml");
  writeFileSync(
    config,
    ["clusters:", "  - name: scoped", `    endpoints: [${etcd.endpoint}]`, "    archive:", "      exclude: [/xr/events/]"].join("\n"),
  );
  delete process.env.ETCDCTL_ENDPOINTS;
  process.env.ETCDLENS_CONFIG = config;
  writer = seedingClient(etcd);
  // Recorded from the cluster's first write on: the archive would call a history it holds whole.
  startArchiveRecorders(() => undefined);
  await waitFor("the recorder records", () => recorderState("scoped")?.state === "recording");
  for (let n = 1; n <= 3; n++) {
    revisions.event.push(await put("/xr/events/web.1", `event ${n}`));
    revisions.pod.push(await put("/xr/pods/web", `pod ${n}`));
  }
  revisions.compaction = await put("/xr/filler", "compaction");
  const store = (await getArchiveStore())!;
  await waitFor("the archive holds every write", async () => (await store.coverage("scoped")).lastRevision >= revisions.compaction);
  await writer.kv.compact({ revision: String(revisions.compaction), physical: true });
}, 60_000);

afterAll(async () => {
  await stopArchiveRecorders();
  await (await getArchiveStore())?.close();
  writer?.close();
  await etcd?.stop();
  delete process.env.ETCDLENS_CONFIG;
  rmSync(dir, { recursive: true, force: true });
});

describe("a key the archive configuration leaves out, past etcd's compaction", () => {
  it("answers its value at a compacted revision with a 410 that says it is not archived, and why", async () => {
    const { status, body } = await callRoute(getKey, `/api/key?key=${q("/xr/events/web.1")}&rev=${revisions.event[0]}`);
    expect(status, JSON.stringify(body)).toBe(410);
    expect(body.error.code).toBe("compacted");
    expect(body.error.notArchived).toBe(EXCLUDED);
    expect(body.error.message).toBe(`revision ${revisions.event[0]} has been compacted; /xr/events/web.1 is not archived: ${EXCLUDED}`);
    // etcd's compaction is the oldest revision this key can be read at: the archive holds none of it.
    expect(body.error.compactRevision).toBe(revisions.compaction);

    // A key outside the prefix is read from the archive at the same kind of revision.
    const pod = await callRoute(getKey, `/api/key?key=${q("/xr/pods/web")}&rev=${revisions.pod[0]}`);
    expect(pod.status, JSON.stringify(pod.body)).toBe(200);
    expect(pod.body.readFrom.source).toBe("archive");
    expect(pod.body.readFrom.notArchived).toBeUndefined();
  });

  it("says so on its history, which is etcd's alone and cut at etcd's compaction, and on its current value", async () => {
    const { status, body } = await callRoute(getHistory, `/api/history?key=${q("/xr/events/web.1")}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.readFrom).toMatchObject({ source: "etcd", notArchived: EXCLUDED });
    expect(body.items.map((item: { revision: number }) => item.revision)).toEqual([revisions.event[2]]);
    // Not "nothing older is missing" (the archive recorded the cluster from its start, but not this key).
    expect(body.compactRevision).toBe(revisions.compaction);
    // What the history pane shows above the entries.
    expect(describeReadFrom(body.readFrom)).toBe(`from etcd only · not archived: ${EXCLUDED}`);

    const older = await callRoute(getHistory, `/api/history?key=${q("/xr/events/web.1")}&before=${revisions.event[1]}`);
    expect(older.status).toBe(410);
    expect(older.body.error.notArchived).toBe(EXCLUDED);

    const current = await callRoute(getKey, `/api/key?key=${q("/xr/events/web.1")}`);
    expect(current.status).toBe(200);
    expect(current.body.readFrom).toMatchObject({ source: "etcd", notArchived: EXCLUDED });

    // The archived key's history reaches back whole, without the note.
    const pod = await callRoute(getHistory, `/api/history?key=${q("/xr/pods/web")}`);
    expect(pod.body.items).toHaveLength(3);
    expect(pod.body.readFrom.notArchived).toBeUndefined();
    expect(describeReadFrom(pod.body.readFrom)).toMatch(/^from etcd and the archive/);
  });

  it("refuses a diff reaching below etcd's compaction with the same reason", async () => {
    const { status, body } = await callRoute(
      getDiff,
      `/api/diff?key=${q("/xr/events/web.1")}&from=${revisions.event[0]}&to=${revisions.event[2]}`,
    );
    expect(status, JSON.stringify(body)).toBe(410);
    expect(body.error.notArchived).toBe(EXCLUDED);
    expect(body.error.message).toContain(`/xr/events/web.1 is not archived: ${EXCLUDED}`);

    const pod = await callRoute(getDiff, `/api/diff?key=${q("/xr/pods/web")}&from=${revisions.pod[0]}&to=${revisions.pod[2]}`);
    expect(pod.status, JSON.stringify(pod.body)).toBe(200);
    expect(pod.body.readFrom.source).toBe("archive");
  });
});
