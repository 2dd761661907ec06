import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { ChildDto, FieldChangeDto, HistoryItemDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// History with lifecycles and summaries, diffs, the compaction boundary and time travel, against a
// real etcd. This file owns its etcd: the compaction test compacts the whole store, so it runs last.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const rev = (response: { header: { revision: string } }) => Number(response.header.revision);

function deployment(replicas: number, uid: string, image = "nginx:1.25"): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", uid, generation: replicas, creationTimestamp: "2024-05-01T10:00:00Z" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    },
    status: { observedGeneration: replicas, replicas },
  };
}

function secret(data: Record<string, string>): JsonObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString("base64")]));
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop", uid: "s-1" }, type: "Opaque", data: encoded };
}

const putObject = async (key: string, object: JsonObject) => rev(await writer.put(key).value(Buffer.from(encodeKubernetesObject(object))));

beforeAll(async () => {
  etcd = await startTestEtcd("history-diff");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  delete process.env.ETCDLENS_REVEAL_SECRETS;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/history with lifecycles", () => {
  it("groups lifecycles across a delete and re-create, flags the new uid, and summarizes each change", async () => {
    const key = "/registry/deployments/shop/web";
    const r1 = await putObject(key, deployment(2, "uid-1"));
    const r2 = await putObject(key, deployment(5, "uid-1"));
    const r3 = await putObject(key, deployment(5, "uid-1", "nginx:1.26"));
    const gone = rev(await writer.delete().key(key));
    const r5 = await putObject(key, deployment(1, "uid-2"));
    const r6 = await putObject(key, deployment(3, "uid-2"));

    const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    expect(status).toBe(200);
    const rows = body.items.map((item: HistoryItemDto) => [item.revision, item.type, item.lifecycle, item.summary]);
    expect(rows).toEqual([
      [r6, "PUT", r5, "spec.replicas: 1 → 3, status.replicas: 1 → 3"],
      [r5, "PUT", r5, "re-created with a new uid"],
      [gone, "DELETE", r1, "deleted"],
      [r3, "PUT", r1, "spec.template.spec.containers[0].image: nginx:1.25 → nginx:1.26"],
      [r2, "PUT", r1, "spec.replicas: 2 → 5, status.replicas: 2 → 5"],
      [r1, "PUT", r1, "created"],
    ]);
    expect(body.items[1]).toMatchObject({ recreated: true, uidChanged: true, version: 1 });
    expect(body.items[5]).toMatchObject({ recreated: false });
    expect(body.next).toBeNull();
  });

  it("summarizes the last entry of a page from the version before it and pages on", async () => {
    const key = "/p/paged";
    const revisions: number[] = [];
    for (let i = 1; i <= 5; i++) revisions.push(await putObject(key, deployment(i, "u")));
    const first = await callRoute(getHistory, `/api/history?key=${q(key)}&limit=2`);
    expect(first.body.items.map((item: HistoryItemDto) => item.summary)).toEqual([
      "spec.replicas: 4 → 5, status.replicas: 4 → 5",
      "spec.replicas: 3 → 4, status.replicas: 3 → 4",
    ]);
    expect(first.body.next).toBe(revisions[3]);
    const second = await callRoute(getHistory, `/api/history?key=${q(key)}&limit=2&before=${first.body.next}`);
    expect(second.body.items.map((item: HistoryItemDto) => item.revision)).toEqual([revisions[2], revisions[1]]);
  });
});

describe("GET /api/diff", () => {
  it("returns both decoded versions and the changed fields, noise marked", async () => {
    const key = "/d/deploy";
    const a = await putObject(key, deployment(2, "u"));
    const b = await putObject(key, deployment(5, "u"));
    const { status, body } = await callRoute(getDiff, `/api/diff?key=${q(key)}&from=${a}&to=${b}`);
    expect(status).toBe(200);
    expect(body.from).toMatchObject({
      revision: a,
      kv: { modRevision: a, version: 1 },
      value: { format: "kubernetes", kind: "Deployment" },
    });
    expect(body.to.value.object.spec.replicas).toBe(5);
    const meaningful = body.changes.filter((item: FieldChangeDto) => !item.noise);
    expect(meaningful).toEqual([
      { path: "spec.replicas", segments: ["spec", "replicas"], kind: "changed", old: 2, new: 5, noise: false },
      { path: "status.replicas", segments: ["status", "replicas"], kind: "changed", old: 2, new: 5, noise: false },
    ]);
    const noise = body.changes.filter((item: FieldChangeDto) => item.noise).map((item: FieldChangeDto) => item.path);
    expect(noise).toEqual(expect.arrayContaining(["metadata.resourceVersion", "metadata.generation", "status.observedGeneration"]));
    expect(body.noisePatterns).toContain("metadata.resourceVersion");
  });

  it("keeps Secret values masked and says only whether each changed", async () => {
    const key = "/d/secret";
    const a = await putObject(key, secret({ password: "hunter2", user: "admin" }));
    const b = await putObject(key, secret({ password: "correct horse", user: "admin", token: "t0k3n" }));
    const { status, body } = await callRoute(getDiff, `/api/diff?key=${q(key)}&from=${a}&to=${b}`);
    expect(status).toBe(200);
    const text = JSON.stringify(body);
    for (const plain of ["hunter2", "correct horse", "t0k3n", "admin", Buffer.from("hunter2").toString("base64")])
      expect(text).not.toContain(plain);
    const changes = body.changes
      .filter((item: FieldChangeDto) => !item.noise)
      .map((item: FieldChangeDto) => [item.path, item.kind, item.masked]);
    expect(changes).toEqual([
      ["data.token", "added", true],
      ["data.password", "changed", true],
    ]);
    expect(body.to.value.masked.map((masked: { path: string[] }) => masked.path.join("."))).toEqual([
      "data.password",
      "data.token",
      "data.user",
    ]);
  });

  it("treats a side where the key did not exist as empty, 404 when neither existed, 400 without revisions", async () => {
    const before = rev(await writer.put("/d/other").value("x"));
    const created = rev(await writer.put("/d/late").value('{"a":1}'));
    const { status, body } = await callRoute(getDiff, `/api/diff?key=${q("/d/late")}&from=${before}&to=${created}`);
    expect(status).toBe(200);
    expect(body.from).toEqual({ revision: before, kv: null, value: null });
    expect(body.changes).toEqual([{ path: "", segments: [], kind: "added", new: { a: 1 }, noise: false }]);
    const missing = await callRoute(getDiff, `/api/diff?key=${q("/d/never")}&from=${before}&to=${created}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    const bad = await callRoute(getDiff, `/api/diff?key=${q("/d/late")}&from=${before}`);
    expect(bad.status).toBe(400);
  });

  it("summarizes bytes for binary values", async () => {
    const a = rev(await writer.put("/d/bin").value(Buffer.from([0xff, 0x00, 0x01, 0x02])));
    const b = rev(await writer.put("/d/bin").value(Buffer.from([0xff, 0x00, 0x07, 0x02, 0x09])));
    const { body } = await callRoute(getDiff, `/api/diff?key=${q("/d/bin")}&from=${a}&to=${b}`);
    expect(body.bytes).toEqual({ oldSize: 4, newSize: 5, equal: false, firstDifference: 2, differingBytes: 2 });
  });
});

describe("time travel: /api/keys at a revision", () => {
  it("lists a level without keys created later and with keys deleted since", async () => {
    const before = rev(await writer.put("/tt/stays").value("1"));
    const created = rev(await writer.put("/tt/comes-and-goes").value("2"));
    await writer.delete().key("/tt/comes-and-goes");
    const names = async (revision?: number) => {
      const { status, body } = await callRoute(getKeys, `/api/keys?prefix=${q("/tt/")}${revision ? `&rev=${revision}` : ""}`);
      expect(status).toBe(200);
      return body.items.map((item: ChildDto) => item.name);
    };
    expect(await names(before)).toEqual(["stays"]);
    expect(await names(created)).toEqual(["comes-and-goes", "stays"]);
    expect(await names()).toEqual(["stays"]);
    const value = await callRoute(getKey, `/api/key?key=${q("/tt/comes-and-goes")}&rev=${created}`);
    expect(value.status).toBe(200);
    expect(value.body.value).toEqual({ format: "text", text: "2" });
  });
});

describe("the compaction boundary (compacts the whole store: keep last)", () => {
  it("ends the history with the cluster's compaction revision and answers compacted revisions with 410", async () => {
    const key = "/c/web";
    const old = await putObject(key, deployment(1, "u"));
    await putObject(key, deployment(2, "u"));
    const filler = rev(await writer.put("/c/filler").value("x"));
    const kept = await putObject(key, deployment(3, "u"));
    const latest = await putObject(key, deployment(4, "u"));
    await writer.kv.compact({ revision: filler, physical: true });

    const history = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    expect(history.status).toBe(200);
    // The version alive at the compaction revision is still readable; older ones are gone.
    expect(history.body.items.map((item: HistoryItemDto) => item.revision)).toEqual([latest, kept, old + 1]);
    expect(history.body.compactRevision).toBe(filler);
    expect(history.body.next).toBeNull();

    for (const path of [
      `/api/diff?key=${q(key)}&from=${old}&to=${latest}`,
      `/api/key?key=${q(key)}&rev=${old}`,
      `/api/history?key=${q(key)}&before=${old}`,
    ]) {
      const handler = path.startsWith("/api/diff") ? getDiff : path.startsWith("/api/key?") ? getKey : getHistory;
      const { status, body } = await callRoute(handler, path);
      expect(status, path).toBe(410);
      expect(body.error).toMatchObject({ code: "compacted", compactRevision: filler });
    }
  });
});
