import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import type { ChangesDto, DiffDto, HistoryDto } from "@/lib/api/dto";
import { encodeKubernetesObject } from "@/lib/decode";
import type { JsonObject } from "@/lib/decode/types";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { findLeaks } from "@/scripts/lib/secret-shapes";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Who changed what, against a real etcd: a Deployment applied with kubectl, scaled by `kubectl
// scale` and status-updated by the controller manager, stored as kube-apiserver stores it
// (protobuf, managedFields inside). History and the change feed name each writer, the diff each
// field's owner, the feed filters by manager, and a Secret's managedFields let no value out.

let etcd: EtcdProcess;
let writer: Etcd3;
const rev: Record<string, number> = {};
const KEY = "/mf/deployments/shop/web";
const SECRET_KEY = "/mf/secrets/shop/db";
const PASSWORD = "s3cr3t-managed-fields-pw";
const q = (text: string) => encodeKeyParam(Buffer.from(text));

const entry = (manager: string, time: string, fieldsV1: JsonObject, subresource?: string): JsonObject => ({
  manager,
  operation: "Update",
  apiVersion: "apps/v1",
  time,
  fieldsType: "FieldsV1",
  fieldsV1,
  ...(subresource ? { subresource } : {}),
});

const applied = (time: string, withReplicas: boolean) =>
  entry("kubectl-client-side-apply", time, {
    "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    "f:spec": {
      ...(withReplicas ? { "f:replicas": {} } : {}),
      "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } } },
    },
  });
const scaled = (time: string) => entry("kubectl", time, { "f:spec": { "f:replicas": {} } }, "scale");
const status = (time: string) =>
  entry("kube-controller-manager", time, { "f:status": { "f:replicas": {}, "f:readyReplicas": {} } }, "status");

function deployment(replicas: number, ready: number, managedFields: JsonObject[]): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", uid: "uid-web", labels: { app: "web" }, managedFields },
    spec: { replicas, template: { spec: { containers: [{ name: "web", image: "web:1" }] } } },
    status: { replicas: ready, readyReplicas: ready },
  };
}

async function put(key: string, object: JsonObject): Promise<number> {
  return Number(
    (
      await writer
        .put(key)
        .value(Buffer.from(encodeKubernetesObject(object)))
        .exec()
    ).header.revision,
  );
}

async function readJson<T>(handler: (request: Request) => Promise<Response>, path: string): Promise<T> {
  const { status: code, body } = await callRoute(handler, path);
  expect(code, JSON.stringify(body)).toBe(200);
  return body as T;
}

beforeAll(async () => {
  etcd = await startTestEtcd("managers");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  rev.created = await put(KEY, deployment(2, 0, [applied("2026-11-20T09:00:00Z", true)]));
  await writer.put("/mf/other").value("between the writes").exec();
  rev.scaled = await put(KEY, deployment(5, 0, [applied("2026-11-20T09:00:00Z", false), scaled("2026-11-20T09:01:00Z")]));
  rev.status = await put(
    KEY,
    deployment(5, 5, [applied("2026-11-20T09:00:00Z", false), scaled("2026-11-20T09:01:00Z"), status("2026-11-20T09:01:02Z")]),
  );
  const secret = (password: string, time: string): JsonObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db",
      namespace: "shop",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ data: { password } }) },
      managedFields: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: "v1",
          time,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:data": { ".": {}, "f:password": {} },
            "f:metadata": { "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} } },
          },
        },
      ],
    },
    data: { password: Buffer.from(password).toString("base64") },
    type: "Opaque",
  });
  rev.secretCreated = await put(SECRET_KEY, secret(`${PASSWORD}-1`, "2026-11-20T09:00:00Z"));
  rev.secretChanged = await put(SECRET_KEY, secret(`${PASSWORD}-2`, "2026-11-20T09:05:00Z"));
}, 60_000);

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("field managers of a Kubernetes object", () => {
  it("history names who made each version: the apply, kubectl's scale, the controller's status write", async () => {
    const history = await readJson<HistoryDto>(getHistory, `/api/history?key=${q(KEY)}`);
    expect(history.items.map((item) => [item.revision, item.managers])).toEqual([
      [
        rev.status,
        [
          {
            manager: "kube-controller-manager",
            operation: "Update",
            subresource: "status",
            fields: ["status.replicas", "status.readyReplicas"],
          },
        ],
      ],
      [rev.scaled, [{ manager: "kubectl", operation: "Update", subresource: "scale", fields: ["spec.replicas"] }]],
      [
        rev.created,
        [{ manager: "kubectl-client-side-apply", operation: "Update", fields: ["metadata.labels", "spec.replicas", "spec.template"] }],
      ],
    ]);
  });

  it("the change feed names the same managers, with the replaced version in the page or read at revision − 1", async () => {
    const feed = await readJson<ChangesDto>(getChanges, `/api/changes?prefix=${q("/mf/deployments/")}`);
    expect(feed.items.map((item) => [item.revision, item.managers?.map((change) => change.manager)])).toEqual([
      [rev.status, ["kube-controller-manager"]],
      [rev.scaled, ["kubectl"]],
      [rev.created, ["kubectl-client-side-apply"]],
    ]);
    // A range of one revision: the scale's replaced version lies before it and is read.
    const one = await readJson<ChangesDto>(getChanges, `/api/changes?prefix=${q("/mf/")}&from=${rev.scaled}&to=${rev.scaled}`);
    expect(one.items.map((item) => item.managers)).toEqual([
      [{ manager: "kubectl", operation: "Update", subresource: "scale", fields: ["spec.replicas"] }],
    ]);
  });

  it("filters the change feed by manager, exactly, across the whole range and from inside it", async () => {
    const by = async (manager: string, range = "") =>
      (await readJson<ChangesDto>(getChanges, `/api/changes?prefix=${q("/mf/")}&manager=${encodeURIComponent(manager)}${range}`)).items.map(
        (item) => item.revision,
      );
    expect(await by("kubectl")).toEqual([rev.scaled]);
    expect(await by("kube-controller-manager")).toEqual([rev.status]);
    expect(await by("kubectl-client-side-apply")).toEqual([rev.secretChanged, rev.secretCreated, rev.created]);
    expect(await by("kubectl", `&from=${rev.scaled}`)).toEqual([rev.scaled]);
    expect(await by("kube")).toEqual([]);
    // The plain value between the writes has no managers and is never a match.
    expect(await by("between")).toEqual([]);
  });

  it("refuses a manager that names none, with a message", async () => {
    for (const manager of ["", "%20", "x".repeat(129)]) {
      const { status: code, body } = await callRoute(getChanges, `/api/changes?prefix=${q("/mf/")}&manager=${manager}`);
      expect(code).toBe(400);
      expect(body.error.message).toMatch(/^"manager": a field manager/);
    }
  });

  it("the diff shows each changed field's owner after the change", async () => {
    const diff = await readJson<DiffDto>(getDiff, `/api/diff?key=${q(KEY)}&from=${rev.created}&to=${rev.status}`);
    const owners = (path: string) => diff.changes.find((item) => item.path === path)?.owners;
    expect(owners("spec.replicas")).toEqual([{ manager: "kubectl", operation: "Update", subresource: "scale" }]);
    expect(owners("status.readyReplicas")).toEqual([{ manager: "kube-controller-manager", operation: "Update", subresource: "status" }]);
    expect(diff.changes.find((item) => item.path === "metadata.managedFields[1]")?.owners).toBeUndefined();
  });

  it("names the fields of a Secret's managers and never a value", async () => {
    const history = await readJson<HistoryDto>(getHistory, `/api/history?key=${q(SECRET_KEY)}`);
    // The password and the annotation repeating it changed only in their fingerprints; still named.
    const [change] = history.items[0].managers!;
    expect(history.items[0].managers).toHaveLength(1);
    expect(change).toMatchObject({ manager: "kubectl-client-side-apply", operation: "Update" });
    expect([...change.fields].sort()).toEqual(["data.password", "metadata.annotations"]);
    const texts = [
      JSON.stringify(history),
      JSON.stringify(await readJson(getChanges, `/api/changes?prefix=${q("/mf/secrets/")}&manager=kubectl-client-side-apply`)),
      JSON.stringify(await readJson(getDiff, `/api/diff?key=${q(SECRET_KEY)}&from=${rev.secretCreated}&to=${rev.secretChanged}`)),
    ];
    expect(texts[1]).toContain("data.password");
    const values = [`${PASSWORD}-1`, `${PASSWORD}-2`];
    expect(texts.flatMap((text, index) => findLeaks(`response ${index}`, text, values))).toEqual([]);
  });
});
