import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import * as complete from "@/app/api/complete/route";
import * as raw from "@/app/api/raw/route";
import * as secret from "@/app/api/secret/route";
import { readViewState } from "@/components/diff/view-state";
import { encodeKubernetesObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The routes the first pass over bad input left out, against a real etcd: the raw download, the
// jump box and Secret reveal take a 20 KB key in a POST body as the other routes do, and refuse a
// future revision with the common future_revision answer. Also the diff's `compare` revision,
// read from the page URL, which must be exact or dropped, never rounded.

let etcd: EtcdProcess;
let writer: Etcd3;
let current: number;

const FUTURE = 999_999_999;
const longKey = `/long/${"z".repeat(20 * 1024)}`;
const longSecretKey = `/registry/secrets/shop/${"s".repeat(20 * 1024)}`;
const shortKey = "/followups/plain";
const shortSecretKey = "/registry/secrets/shop/db";
const q = (text: string) => encodeKeyParam(Buffer.from(text));

const secretObject = (name: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "shop", uid: "u-1", creationTimestamp: "2026-01-01T00:00:00Z" },
  type: "Opaque",
  data: { password: Buffer.from("hunter2").toString("base64") },
});

type Handler = (request: Request) => Promise<Response>;

async function post(handler: Handler, path: string, body: string) {
  const response = await handler(
    new Request(`http://127.0.0.1${path}`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } }),
  );
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, type, body: type.includes("json") ? await response.json() : Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  etcd = await startTestEtcd("bad-input-followups");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_REVEAL_SECRETS = "true";
  writer = seedingClient(etcd);
  await writer.put(longKey).value("long value bytes");
  await writer.put(shortKey).value("short value bytes");
  await writer
    .put(longSecretKey)
    .value(Buffer.from(encodeKubernetesObject(secretObject("long"))))
    .exec();
  current = Number(
    (
      await writer
        .put(shortSecretKey)
        .value(Buffer.from(encodeKubernetesObject(secretObject("db"))))
        .exec()
    ).header.revision,
  );
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("a 20 KB key with the query in a POST body", () => {
  it("is downloaded raw from /api/raw, bytes exact", async () => {
    expect(raw.POST, "/api/raw has no POST").toBeTypeOf("function");
    const answer = await post(raw.POST, "/api/raw", `key=${q(longKey)}`);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("application/octet-stream");
    expect(answer.body.toString()).toBe("long value bytes");
  });

  it("is completed by /api/complete, as the jump box sends it", async () => {
    expect(complete.POST, "/api/complete has no POST").toBeTypeOf("function");
    const typed = longKey.slice(0, 10 * 1024);
    const answer = await post(complete.POST, "/api/complete", `q=${q(typed)}&limit=12`);
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((item: { key: string }) => item.key)).toEqual([longKey]);
  });

  it("has a masked Secret value revealed by /api/secret", async () => {
    expect(secret.POST, "/api/secret has no POST").toBeTypeOf("function");
    const path = encodeURIComponent(JSON.stringify(["data", "password"]));
    const answer = await post(secret.POST, "/api/secret", `key=${q(longSecretKey)}&path=${path}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ path: ["data", "password"], text: "hunter2" });
  });
});

describe("a revision etcd has not reached", () => {
  const path = encodeURIComponent(JSON.stringify(["data", "password"]));
  const uses = [
    { name: "/api/raw?rev", route: raw.GET, url: `/api/raw?key=${q(shortKey)}&rev=R` },
    { name: "/api/secret?rev", route: secret.GET, url: `/api/secret?key=${q(shortSecretKey)}&rev=R&path=${path}` },
  ];

  it.each(uses)("$name is refused as future_revision, naming the current revision", async (use) => {
    const { status, body } = await callRoute(use.route, use.url.replace("=R", `=${FUTURE}`));
    expect(status).toBe(400);
    expect(body.error.code).toBe("future_revision");
    expect(body.error.message).toBe(`"rev" (${FUTURE}) is a future revision: etcd is at revision ${body.error.currentRevision}`);
    expect(body.error.currentRevision).toBeGreaterThanOrEqual(current);
  });

  it.each(uses)("$name refuses a revision above 2^53 instead of rounding it", async (use) => {
    const { status, body } = await callRoute(use.route, use.url.replace("=R", "=999999999999999999"));
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: "bad_request", message: `"rev": a revision is at most 9007199254740991` });
  });

  it.each(uses)("$name accepts the current revision", async (use) => {
    const { status } = await callRoute(use.route, use.url.replace("=R", `=${current}`));
    expect(status).toBe(200);
  });
});

describe("the diff's compare revision in the page URL", () => {
  const compareOf = (text: string) => readViewState({ compare: text }, undefined).compare;

  it("is read exactly up to 2^53 - 1", () => {
    expect(compareOf("640")).toBe(640);
    expect(compareOf("9007199254740991")).toBe(9007199254740991);
  });

  it("is dropped, not rounded, above 2^53", () => {
    expect(compareOf("999999999999999999")).toBeUndefined();
    expect(compareOf("9007199254740993")).toBeUndefined();
  });

  it("is dropped when it is not a revision", () => {
    for (const text of ["0", "-3", "064", "1e3", "12abc", ""]) expect(compareOf(text), text).toBeUndefined();
  });
});
