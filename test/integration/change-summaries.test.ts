import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import type { ChangeDto, ChangesDto } from "@/lib/api/dto";
import { encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject } from "@/lib/decode/types";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { findLeaks, seedSecretShapes, type SeededShape } from "@/scripts/lib/secret-shapes";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The change feed's one-line summaries against a real etcd: the same words as history ("created",
// "deleted", `spec.replicas: 2 → 5`), whether the replaced version is in the revisions the page
// replayed or older than them (then read at revision − 1), and never a Secret's value.

let etcd: EtcdProcess;
let writer: Etcd3;
let shapes: SeededShape[];
const written: Record<string, number> = {};

const q = (text: string) => encodeKeyParam(Buffer.from(text));

function deployment(replicas: number, image: string, uid = "uid-web"): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "feed", uid, generation: replicas },
    spec: { replicas, template: { spec: { containers: [{ name: "web", image }] } } },
  };
}

async function put(key: string, value: string | Uint8Array): Promise<number> {
  return Number((await writer.put(key).value(Buffer.from(value)).exec()).header.revision);
}

async function readFeed(query: string): Promise<ChangeDto[]> {
  const { status, body } = await callRoute(getChanges, `/api/changes?${query}&limit=1000`);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body as ChangesDto).items;
}

const at = (items: ChangeDto[], revision: number) => items.find((item) => item.revision === revision);

beforeAll(async () => {
  etcd = await startTestEtcd("change-summaries");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  const k8s = (key: string, object: JsonObject) => put(key, encodeKubernetesObject(object));
  written.created = await k8s("/feed/deployments/web", deployment(2, "web:1"));
  written.config = await put("/feed/json/config", JSON.stringify({ level: "info", workers: 4 }));
  // More revisions than one replay window (1,000) between a version and the update that replaces
  // it: the replaced version is found in an older window of the same page.
  for (let i = 0; i < 1_100; i++) await put(`/elsewhere/${i % 10}`, String(i));
  written.scaled = await k8s("/feed/deployments/web", deployment(5, "web:1"));
  written.rolled = await k8s("/feed/deployments/web", deployment(5, "web:2"));
  written.configChanged = await put("/feed/json/config", JSON.stringify({ level: "debug", workers: 4 }));
  written.deleted = Number((await writer.delete().key("/feed/json/config").exec()).header.revision);
  // Deleted and created again by its controller: a new object under the old name.
  await writer.delete().key("/feed/deployments/web").exec();
  written.recreated = await k8s("/feed/deployments/web", deployment(5, "web:2", "uid-web-2"));
  shapes = await seedSecretShapes(writer, "feed-secrets", "/feed/registry");
}, 120_000);

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("summaries in GET /api/changes", () => {
  it("says what a scaled Deployment and a changed JSON value changed, and labels creates and deletes", async () => {
    const items = await readFeed(`prefix=${q("/feed/")}`);
    expect(at(items, written.created)).toMatchObject({ type: "PUT", version: 1, summary: "created" });
    // The replaced version lies 1,100 revisions back, in an older replay window than the update.
    expect(at(items, written.scaled)?.summary).toBe("spec.replicas: 2 → 5");
    // The replaced version is the event just before, in the same window.
    expect(at(items, written.rolled)?.summary).toBe("spec.template.spec.containers[0].image: web:1 → web:2");
    expect(at(items, written.configChanged)?.summary).toBe("level: info → debug");
    expect(at(items, written.deleted)).toMatchObject({ type: "DELETE", summary: "deleted" });
    // History's words for a create that follows a delete, the page having seen both.
    expect(at(items, written.recreated)).toMatchObject({ type: "PUT", version: 1, summary: "re-created with a new uid" });
  });

  it("summarizes an update the same way when the page starts right at it", async () => {
    // A range of one revision: nothing before it is replayed, so the replaced version is read.
    const items = await readFeed(`prefix=${q("/feed/")}&from=${written.rolled}&to=${written.rolled}`);
    expect(items.map((item) => item.summary)).toEqual(["spec.template.spec.containers[0].image: web:1 → web:2"]);
  });

  it("masks Secrets in summaries: the change is named, no value leaves", async () => {
    const { status, body } = await callRoute(getChanges, `/api/changes?prefix=${q("/feed/registry/")}&limit=1000`);
    expect(status).toBe(200);
    const text = JSON.stringify(body);
    const items = (body as ChangesDto).items;
    for (const name of ["applied", "json"]) {
      const shape = shapes.find((item) => item.key.endsWith(`/${name}`))!;
      const newest = items.find((item) => item.key === shape.key && item.revision === shape.revisions.at(-1));
      expect(newest?.summary, shape.shape).toContain("data.password: changed (masked)");
    }
    const secretValues = shapes.filter((shape) => !shape.control).flatMap((shape) => shape.values);
    expect(secretValues.length).toBeGreaterThan(0);
    expect(findLeaks("/api/changes", text, secretValues)).toEqual([]);
  });
});
