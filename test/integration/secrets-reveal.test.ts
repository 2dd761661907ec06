import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import { encodeKubernetesObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// With ETCDLENS_REVEAL_SECRETS=true the server reveals one Secret value per request; values stay
// masked everywhere else, and raw bytes are never sent.

let etcd: EtcdProcess;
const key = "/registry/secrets/shop/db";
const q = (text: string) => encodeKeyParam(Buffer.from(text));

beforeAll(async () => {
  etcd = await startTestEtcd("secrets-reveal");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_REVEAL_SECRETS = "true";
  const writer = seedingClient(etcd);
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop", uid: "u-1", creationTimestamp: "2026-01-01T00:00:00Z" },
    type: "Opaque",
    data: { password: Buffer.from("hunter2").toString("base64"), "tls.key": Buffer.from([0xff, 0x00]).toString("base64") },
  };
  await writer
    .put(key)
    .value(Buffer.from(encodeKubernetesObject(secret)))
    .exec();
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe("revealing Secret values when the operator allows it", () => {
  it("still masks the value pane and says revealing is allowed", async () => {
    const { body } = await callRoute(getKey, `/api/key?key=${q(key)}`);
    expect(body.revealAllowed).toBe(true);
    expect(JSON.stringify(body.value)).not.toContain(Buffer.from("hunter2").toString("base64"));
    expect(body.raw.base64).toBe("");
    expect((await callRoute(getRaw, `/api/raw?key=${q(key)}`)).status).toBe(403);
  });

  it("reveals exactly one value per request, dotted names included", async () => {
    const path = encodeURIComponent(JSON.stringify(["data", "password"]));
    const { status, body } = await callRoute(getSecret, `/api/secret?key=${q(key)}&path=${path}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      path: ["data", "password"],
      value: Buffer.from("hunter2").toString("base64"),
      encoding: "base64",
      text: "hunter2",
    });
    const binary = await callRoute(getSecret, `/api/secret?key=${q(key)}&path=${encodeURIComponent(JSON.stringify(["data", "tls.key"]))}`);
    expect(binary.body).toMatchObject({ value: Buffer.from([0xff, 0x00]).toString("base64"), encoding: "base64" });
    expect(binary.body.text).toBeUndefined();
  });

  it("reveals a masked last-applied-configuration annotation as text, whole", async () => {
    const writer = seedingClient(etcd);
    const applied = `${JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "applied", namespace: "shop" }, stringData: { token: "s3cr3t-applied" } })}\n`;
    const object = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "applied", namespace: "shop", annotations: { "kubectl.kubernetes.io/last-applied-configuration": applied } },
      data: { token: Buffer.from("s3cr3t-applied").toString("base64") },
    };
    await writer
      .put("/registry/secrets/shop/applied")
      .value(Buffer.from(encodeKubernetesObject(object)))
      .exec();
    writer.close();
    const path = encodeURIComponent(JSON.stringify(["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]));
    const { status, body } = await callRoute(getSecret, `/api/secret?key=${q("/registry/secrets/shop/applied")}&path=${path}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ value: applied, encoding: "text", text: applied });
  });

  it("answers 404 for a path that is not a masked value and 400 for a malformed path", async () => {
    expect((await callRoute(getSecret, `/api/secret?key=${q(key)}&path=${encodeURIComponent('["metadata","name"]')}`)).status).toBe(404);
    expect((await callRoute(getSecret, `/api/secret?key=${q(key)}&path=nope`)).status).toBe(400);
  });
});

describe("a Secret that cannot be decoded, when revealing is allowed", () => {
  it("opens its raw bytes at /api/raw, and only there", async () => {
    const writer = seedingClient(etcd);
    const whole = Buffer.from(
      encodeKubernetesObject({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cut", namespace: "shop" },
        data: { password: Buffer.from("hunter3").toString("base64") },
      }),
    );
    // The last 4 bytes are the empty contentEncoding and contentType; cutting 8 cuts into the object.
    const cut = whole.subarray(0, whole.length - 8);
    await writer.put("/registry/secrets/shop/cut").value(cut).exec();
    writer.close();
    const shown = await callRoute(getKey, `/api/key?key=${q("/registry/secrets/shop/cut")}`);
    expect(shown.body.value).toMatchObject({ format: "undecodable-secret", size: cut.length });
    expect(shown.body.raw.base64).toBe("");
    const raw = await callRoute(getRaw, `/api/raw?key=${q("/registry/secrets/shop/cut")}`);
    expect(raw.status).toBe(200);
    expect(Buffer.compare(raw.body, cut)).toBe(0);
  });
});

describe("diffs and history of a Secret when revealing is allowed", () => {
  it("still say only changed or unchanged, never the values", async () => {
    const writer = seedingClient(etcd);
    const before = Number((await writer.kv.range({ key: Buffer.from(key) })).kvs[0].mod_revision);
    const next = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "shop", uid: "u-1", creationTimestamp: "2026-01-01T00:00:00Z" },
      type: "Opaque",
      data: { password: Buffer.from("correct horse").toString("base64"), "tls.key": Buffer.from([0xff, 0x00]).toString("base64") },
    };
    const after = Number(
      (
        await writer
          .put(key)
          .value(Buffer.from(encodeKubernetesObject(next)))
          .exec()
      ).header.revision,
    );
    writer.close();
    const diff = await callRoute(getDiff, `/api/diff?key=${q(key)}&from=${before}&to=${after}`);
    expect(diff.status).toBe(200);
    const history = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    for (const text of [JSON.stringify(diff.body), JSON.stringify(history.body)]) {
      expect(text).not.toContain(Buffer.from("hunter2").toString("base64"));
      expect(text).not.toContain(Buffer.from("correct horse").toString("base64"));
    }
    expect(diff.body.changes).toEqual(expect.arrayContaining([expect.objectContaining({ path: "data.password", masked: true })]));
  });
});
