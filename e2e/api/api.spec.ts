import { expect, test } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, param } from "../support/api";

// The JSON API of the production build, against the seeded etcd.

test("lists a level with key/folder flags and exact key bytes", async ({ request }) => {
  const response = await request.get(`/api/keys?prefix=${param("/registry/")}`);
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(typeof body.revision).toBe("number");
  const names = body.items.map((item: { name: string }) => item.name);
  expect(names).toEqual(expect.arrayContaining(["configmaps", "deployments", "events", "example.com", "pods", "secrets"]));
  const pods = body.items.find((item: { name: string }) => item.name === "pods");
  expect(pods).toMatchObject({ key: "/registry/pods", isKey: false, hasChildren: true });
  expect(Buffer.from(pods.keyBase64, "base64").toString()).toBe("/registry/pods");
});

test("decodes a Kubernetes protobuf value and fills resourceVersion from the mod revision", async ({ request }) => {
  const response = await request.get(`/api/key?key=${param(DEMO_KEYS.deployment)}`);
  const body = await response.json();
  expect(body.value).toMatchObject({ format: "kubernetes", encoding: "protobuf", apiVersion: "apps/v1", kind: "Deployment" });
  expect(body.value.object.metadata.resourceVersion).toBe(String(body.kv.modRevision));
  expect(body.value.object.spec.replicas).toBe(3);
  expect(body.kv).toMatchObject({ version: 3, lease: "0" });
});

test("masks Secret data by default, in the value and in the raw bytes", async ({ request }) => {
  const response = await request.get(`/api/key?key=${param(DEMO_KEYS.secret)}`);
  const text = await response.text();
  expect(text).not.toContain(Buffer.from("correct horse battery staple").toString("base64"));
  expect(text).not.toContain("correct horse battery staple");
  const body = JSON.parse(text);
  expect(body.value.masked.map((m: { path: string[] }) => m.path.join("."))).toEqual(
    expect.arrayContaining(["data.password", "data.username"]),
  );
  expect(body.raw.base64).toBe("");
  const raw = await request.get(`/api/raw?key=${param(DEMO_KEYS.secret)}`);
  expect(raw.status()).toBe(403);
});

test("shows a deleted and re-created key's history with the tombstone between lifecycles", async ({ request }) => {
  const items = await historyOf(request, DEMO_KEYS.recreated);
  expect(items.map((item) => [item.type, item.version])).toEqual([
    ["PUT", 1],
    ["DELETE", 0],
    ["PUT", 2],
    ["PUT", 1],
  ]);
});

test("reads a value at an older revision, and a compacted or future one answers with its own code", async ({ request }) => {
  const [current, , oldest] = await historyOf(request, DEMO_KEYS.deployment);
  const old = await (await request.get(`/api/key?key=${param(DEMO_KEYS.deployment)}&rev=${oldest.revision}`)).json();
  expect(old.value.object.spec.replicas).toBe(2);
  expect(old.kv.modRevision).toBe(oldest.revision);
  const future = await request.get(`/api/key?key=${param(DEMO_KEYS.deployment)}&rev=${current.revision + 100000}`);
  expect(future.status()).toBe(400);
  expect((await future.json()).error.code).toBe("future_revision");
});

test("answers bad input and missing keys with the error shape, never a stack trace", async ({ request }) => {
  const cases: [string, number, string][] = [
    [`/api/key?key=${param("/no/such/key")}`, 404, "not_found"],
    [`/api/key?key=${param(DEMO_KEYS.pod)}&rev=abc`, 400, "bad_request"],
    ["/api/key", 400, "bad_request"],
    [`/api/history?key=${param(DEMO_KEYS.pod)}&limit=0`, 400, "bad_request"],
  ];
  for (const [url, status, code] of cases) {
    const response = await request.get(url);
    expect(response.status(), url).toBe(status);
    const body = await response.json();
    expect(body.error.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
  }
});

test("serves the exact bytes of a binary value and reaches a non-UTF-8 key by its bytes", async ({ request }) => {
  const raw = await request.get(`/api/raw?key=${param(DEMO_KEYS.binaryValue)}`);
  expect(raw.headers()["content-type"]).toBe("application/octet-stream");
  const bytes = await raw.body();
  expect(bytes.length).toBe(600);
  expect(bytes[1]).toBe((37 + 11) % 256);
  const key = await (await request.get(`/api/key?key=${param(DEMO_KEYS.binaryKey)}`)).json();
  expect(Buffer.from(key.kv.keyBase64, "base64").equals(DEMO_KEYS.binaryKey)).toBe(true);
  expect(key.kv.key).toBe("/demo/binary/key-\\xff\\xfe\\x00A");
});

test("reports the cluster header with exact 64-bit IDs", async ({ request }) => {
  const body = await (await request.get("/api/cluster")).json();
  expect(body.clusterId).toMatch(/^[0-9]+$/);
  expect(body.memberId).toMatch(/^[0-9]+$/);
  expect(body.revision).toBeGreaterThan(50);
  const health = await (await request.get("/api/healthz")).json();
  expect(health).toMatchObject({ ok: true, etcd: { reachable: true } });
});

test("serves Prometheus metrics on loopback without sign-in, with API requests and etcd in them", async ({ request }) => {
  await request.get("/api/keys?prefix=/registry/");
  const response = await request.get("/metrics");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  expect(text).toMatch(/^etcdlens_http_requests_total\{route="\/api\/keys",method="GET",status="200"\} [1-9]/m);
  expect(text).toMatch(/^etcdlens_etcd_up\{cluster="[^"]+"\} 1$/m);
  expect(text).toMatch(/^process_cpu_seconds_total /m);
});
