import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getCluster } from "@/app/api/cluster/route";
import { GET as getHealth } from "@/app/api/healthz/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { GET as getKey } from "@/app/api/key/route";
import { encodeKubernetesObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { ChildDto, HistoryItemDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The JSON API against a real etcd. This file owns its etcd, so it can assert on the root level.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string | Uint8Array) => encodeKeyParam(typeof text === "string" ? Buffer.from(text) : text);

async function listAll(prefix: string, limit: number) {
  const names: string[] = [];
  const items: ChildDto[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await callRoute(getKeys, `/api/keys?prefix=${q(prefix)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(status).toBe(200);
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    names.push(...body.items.map((item: ChildDto) => item.name));
    cursor = body.nextCursor;
    pages += 1;
  } while (cursor && pages < 10_000);
  return { names, items, pages };
}

beforeAll(async () => {
  etcd = await startTestEtcd("explorer-api");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/keys", () => {
  it("lists the root: the / folder and keys without a leading slash", async () => {
    await writer.put("/a/b").value("1");
    await writer.put("foo").value("bar");
    await writer.put("plain/child").value("x");
    const { items } = await listAll("", 50);
    const byName = Object.fromEntries(items.map((item) => [item.name, item]));
    expect(Object.keys(byName).sort()).toEqual(["", "foo", "plain"]);
    expect(byName[""]).toMatchObject({ isKey: false, hasChildren: true, key: "" });
    expect(byName.foo).toMatchObject({ isKey: true, hasChildren: false, keyBase64: Buffer.from("foo").toString("base64") });
    expect(byName.plain).toMatchObject({ isKey: false, hasChildren: true });
  });

  it("pages a level with 5,000 children, each exactly once, with folders jumped over", async () => {
    const puts: Promise<unknown>[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const name = `k${String(i).padStart(5, "0")}`;
      expected.push(name);
      puts.push(writer.put(`/big/${name}`).value(String(i)).exec());
      if (i % 500 === 0) {
        // A folder with its own subtree: listing must show it once and not read inside it.
        for (let j = 0; j < 30; j++) puts.push(writer.put(`/big/${name}-dir/${j}`).value("x").exec());
        expected.push(`${name}-dir`);
      }
    }
    await Promise.all(puts);
    const { names, pages } = await listAll("/big/", 200);
    expect(names).toEqual([...expected].sort());
    expect(pages).toBeGreaterThanOrEqual(26);
  });

  it("narrows a level to names containing a substring, in bounded steps", async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    let steps = 0;
    do {
      const { status, body } = await callRoute(
        getKeys,
        `/api/keys?prefix=${q("/big/")}&contains=${q("k0499")}&limit=5${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(status).toBe(200);
      names.push(...body.items.map((item: ChildDto) => item.name));
      cursor = body.nextCursor;
      steps += 1;
    } while (cursor && steps < 100);
    expect(names).toEqual([...Array.from({ length: 10 }, (_, i) => `k0499${i}`)]);
    expect(steps).toBeGreaterThan(1);
  });

  it("tells keys, folders and both apart, and keeps ns-1, ns-1-canary and ns-10 separate", async () => {
    await Promise.all([
      writer.put("/t/ns-1").value("leaf and folder"),
      writer.put("/t/ns-1/a").value("x"),
      writer.put("/t/ns-1-canary/a").value("x"),
      writer.put("/t/ns-1.5/a").value("x"),
      writer.put("/t/ns-10/a").value("x"),
      writer.put("/t/ns-10/b").value("x"),
      writer.put("/t/ns-2").value("leaf"),
    ]);
    for (const limit of [1, 2, 50]) {
      const { items } = await listAll("/t/", limit);
      expect(items.map((item) => [item.name, item.isKey, item.hasChildren])).toEqual([
        ["ns-1", true, true],
        ["ns-1-canary", false, true],
        ["ns-1.5", false, true],
        ["ns-10", false, true],
        ["ns-2", true, false],
      ]);
    }
  });

  it("reaches binary and non-UTF-8 keys and shows them escaped", async () => {
    const key = Buffer.from([0x2f, 0x62, 0x69, 0x6e, 0x2f, 0xff, 0x00, 0x0a, 0x41]);
    await writer.put(key).value(Buffer.from([0, 1, 2, 3]));
    const { items } = await listAll("/bin/", 10);
    expect(items).toHaveLength(1);
    expect(items[0].name).toBe("\\xff\\x00\\x0aA");
    expect(Buffer.from(items[0].keyBase64, "base64").equals(key)).toBe(true);
  });

  it("lists a level as it was at an older revision", async () => {
    const first = await writer.put("/tt/one").value("1");
    const revision = Number(first.header.revision);
    await writer.put("/tt/two").value("2");
    const { status, body } = await callRoute(getKeys, `/api/keys?prefix=${q("/tt/")}&rev=${revision}`);
    expect(status).toBe(200);
    expect(body.items.map((item: ChildDto) => item.name)).toEqual(["one"]);
    expect(body.revision).toBe(revision);
  });

  it("answers bad input with 400 and a message", async () => {
    for (const query of ["prefix=/a&rev=abc", "prefix=/a&rev=0", "prefix=/a%zz", "prefix=/a&limit=100000", "prefix=/a&cursor=***"]) {
      const { status, body } = await callRoute(getKeys, `/api/keys?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe("bad_request");
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });
});

describe("GET /api/history", () => {
  it("lists every version newest first, across a delete and a re-create", async () => {
    const key = "/h/web";
    const revisions: number[] = [];
    for (const value of ["v1", "v2", "v3"]) revisions.push(Number((await writer.put(key).value(value)).header.revision));
    const deleted = Number((await writer.delete().key(key)).header.revision);
    for (const value of ["w1", "w2"]) revisions.push(Number((await writer.put(key).value(value)).header.revision));

    const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    expect(status).toBe(200);
    expect(body.items.map((item: HistoryItemDto) => [item.revision, item.type, item.version])).toEqual([
      [revisions[4], "PUT", 2],
      [revisions[3], "PUT", 1],
      [deleted, "DELETE", 0],
      [revisions[2], "PUT", 3],
      [revisions[1], "PUT", 2],
      [revisions[0], "PUT", 1],
    ]);
    expect(body.items[0]).toMatchObject({ createRevision: revisions[3], size: 2 });
    expect(body.next).toBeNull();
  });

  it("pages with before= and limit=", async () => {
    const key = "/h/paged";
    const revisions: number[] = [];
    for (let i = 0; i < 7; i++) revisions.push(Number((await writer.put(key).value(`v${i}`)).header.revision));
    const seen: number[] = [];
    let before: number | null = null;
    do {
      const { body } = await callRoute(getHistory, `/api/history?key=${q(key)}&limit=3${before ? `&before=${before}` : ""}`);
      seen.push(...body.items.map((item: HistoryItemDto) => item.revision));
      before = body.next;
    } while (before);
    expect(seen).toEqual([...revisions].reverse());
  });

  it("answers 410 with the compaction revision for a compacted revision", async () => {
    const key = "/h/compacted";
    const old = Number((await writer.put(key).value("old")).header.revision);
    const latest = Number((await writer.put(key).value("new")).header.revision);
    await writer.put("/h/compacted-filler").value("x");
    await writer.kv.compact({ revision: latest, physical: true });
    const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}&before=${old}`);
    expect(status).toBe(410);
    expect(body.error.code).toBe("compacted");
    expect(body.error.compactRevision).toBe(latest);

    const history = await callRoute(getHistory, `/api/history?key=${q(key)}`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((item: HistoryItemDto) => item.revision)).toEqual([latest]);
    expect(history.body.compactRevision).toBe(latest);
  });
});

describe("GET /api/cluster and /api/healthz", () => {
  it("reports IDs as exact decimal strings, and the revision and term as numbers", async () => {
    const { status, body } = await callRoute(getCluster, "/api/cluster");
    expect(status).toBe(200);
    expect(body.clusterId).toMatch(/^[0-9]+$/);
    expect(body.memberId).toMatch(/^[0-9]+$/);
    expect(BigInt(body.clusterId)).toBeGreaterThan(0n);
    expect(typeof body.revision).toBe("number");
    expect(typeof body.raftTerm).toBe("number");
    const health = await callRoute(getHealth, "/api/healthz");
    expect(health.body).toMatchObject({ ok: true, etcd: { reachable: true } });
  });
});

describe("GET /api/secret", () => {
  it("refuses to reveal anything unless the operator opted in", async () => {
    const { status, body } = await callRoute(getSecret, `/api/secret?key=${q("/any")}&path=${encodeURIComponent('["data","x"]')}`);
    expect(status).toBe(403);
    expect(body.error.message).toContain("ETCDLENS_REVEAL_SECRETS=true");
  });

  it("and /api/key says so beside a Secret's masked values, naming the setting", async () => {
    const key = "/registry/secrets/default/refusal-hint";
    await writer
      .put(key)
      .value(
        Buffer.from(
          encodeKubernetesObject({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "refusal-hint", namespace: "default", uid: "u-hint", creationTimestamp: "2026-01-01T00:00:00Z" },
            data: { token: Buffer.from("t0ken").toString("base64") },
          }),
        ),
      )
      .exec();
    const { status, body } = await callRoute(getKey, `/api/key?key=${q(key)}`);
    expect(status).toBe(200);
    expect(body.revealAllowed).toBe(false);
    expect(body.revealRefusal).toContain("ETCDLENS_REVEAL_SECRETS=true");
  });
});
