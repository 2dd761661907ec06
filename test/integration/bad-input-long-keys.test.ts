import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getDiff, POST as postDiff } from "@/app/api/diff/route";
import { POST as postHistory } from "@/app/api/history/route";
import { POST as postKey } from "@/app/api/key/route";
import { POST as postKeys } from "@/app/api/keys/route";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";

// Keys too long for a URL, read through the route handlers with the query in a POST body, against
// a real etcd: the same answers a GET gives for a short key.

let etcd: EtcdProcess;
let writer: Etcd3;
const key = `/long/${"z".repeat(20 * 1024)}`;
let first: number;
let second: number;

async function post(handler: (request: Request) => Promise<Response>, path: string, body: string) {
  const response = await handler(
    new Request(`http://127.0.0.1${path}`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } }),
  );
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  etcd = await startTestEtcd("bad-input-long-keys");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  first = Number((await writer.put(key).value('{"v":1}')).header.revision);
  second = Number((await writer.put(key).value('{"v":2}')).header.revision);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("a 20 KB key with the query in a POST body", () => {
  const k = encodeKeyParam(Buffer.from(key));

  it("is read by /api/key, at now and at a revision", async () => {
    expect((await post(postKey, "/api/key", `key=${k}`)).body).toMatchObject({ kv: { key }, value: { format: "json", data: { v: 2 } } });
    expect((await post(postKey, "/api/key", `key=${k}&rev=${first}`)).body.value.data).toEqual({ v: 1 });
  });

  it("has its history, diff and level answered as a GET would", async () => {
    const history = await post(postHistory, "/api/history", `key=${k}`);
    expect(history.body.items.map((item: { revision: number }) => item.revision)).toEqual([second, first]);
    const diff = await post(postDiff, "/api/diff", `key=${k}&from=${first}&to=${second}`);
    expect(diff.body.changes.map((change: { path: string }) => change.path)).toEqual(["v"]);
    const level = await post(postKeys, "/api/keys", `prefix=${encodeKeyParam(Buffer.from("/long/"))}`);
    expect(level.body.items.map((item: { key: string }) => item.key)).toEqual([key]);
    expect(getDiff).toBe(postDiff);
  });

  it("refuses a body larger than any etcd request", async () => {
    const { status, body } = await post(postKey, "/api/key", `key=${"a".repeat(9 * 1024 * 1024)}`);
    expect(status).toBe(400);
    expect(body.error.message).toBe("a query body is at most 8388608 bytes");
  });
});

describe("a 20 KB prefix in the change feed", () => {
  it("is read with the query in a POST body", async () => {
    const { POST: postChanges } = await import("@/app/api/changes/route");
    const { status, body } = await post(postChanges, "/api/changes", `prefix=${encodeKeyParam(Buffer.from(key))}`);
    expect(status).toBe(200);
    expect(body.items.map((item: { revision: number }) => item.revision)).toEqual([second, first]);
  });
});
