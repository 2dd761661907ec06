import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as search } from "@/app/api/search/route";
import type { SearchHitDto, SearchStreamLineDto } from "@/lib/api/dto";
import { flushAuditTrail } from "@/lib/audit";
import { encodeViewer, VIEWER_HEADER } from "@/lib/auth/viewer-header";
import { encodeKubernetesObject } from "@/lib/decode";
import { getCluster } from "@/lib/etcd/client";
import { base64ToBytes, encodeKeyParam } from "@/lib/keys";
import { parseSearchQuery, type SearchTerm } from "@/lib/search/query";
import { searchValues, visibleRanges } from "@/lib/search/scan-values";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callAs, useAccessRules, viewer } from "./access-support";
import { seedingClient, startTestEtcd } from "./support";

// GET /api/search against a real etcd: Pods in protobuf, a Secret applied with kubectl apply (its
// value repeated in the last-applied-configuration annotation), names with ":", spaces and
// non-ASCII, paging by cursor, rev= pinning, a compacted revision, and access rules.

let etcd: EtcdProcess;
const auditLog = join(tmpdir(), "etcdlens-test", `search-audit-${process.pid}.jsonl`);
const q = (text: string) => encodeKeyParam(Buffer.from(text));
const reader = viewer("ana"); // list and read on /s/, no reveal
const revealer = viewer("rev"); // and reveal
const teamA = viewer("tia"); // /s/pods/team-a/ only
const SECRET_VALUE = "hunter2-search-value";
const FILLERS = 23;
const oddName = "/s/pods/team-a/système:café 1+x";

const pod = (name: string, namespace: string, image: string, phase: string, labels: Record<string, string> = {}) =>
  Buffer.from(
    encodeKubernetesObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, uid: `u-${name}`, labels, creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { containers: [{ name: "app", image }], nodeName: "node-1" },
      status: { phase },
    }),
  );

let before: number; // the revision before web-2's image changed
let compactedAt: number;

async function find(
  who: typeof reader,
  path: string,
): Promise<{ status: number; body: { items: SearchHitDto[] } & Record<string, never> }> {
  const { status, body } = await callAs(search, who, path);
  return { status, body };
}

/** The streaming form's response, unread (callAs would read NDJSON as one JSON document). */
async function streamAs(who: typeof reader, path: string): Promise<Response> {
  return search(new Request(`http://127.0.0.1${path}`, { headers: { [VIEWER_HEADER]: encodeViewer(who) } }));
}

const keysOf = (items: SearchHitDto[]) => items.map((item) => item.key);

beforeAll(async () => {
  etcd = await startTestEtcd("search");
  process.env.ETCDLENS_AUDIT_LOG = auditLog;
  useAccessRules(etcd, "search", [
    { users: ["ana"], clusters: ["main"], prefixes: ["/s/"], rights: ["list", "read"] },
    { users: ["rev"], clusters: ["main"], prefixes: ["/s/"], rights: ["list", "read", "reveal"] },
    { users: ["tia"], clusters: ["main"], prefixes: ["/s/pods/team-a/"], rights: ["list", "read"] },
  ]);
  const writer = seedingClient(etcd);
  await writer
    .put("/s/pods/team-a/web-1")
    .value(pod("web-1", "team-a", "nginx:1.25", "Running", { app: "web", "app.kubernetes.io/name": "shop" }));
  await writer.put("/s/pods/team-a/web-2").value(pod("web-2", "team-a", "nginx:1.24", "Pending", { app: "web" }));
  await writer.put(oddName).value(pod("système:café 1+x", "team-a", "nginx:1.25", "Running"));
  await writer.put("/s/pods/team-b/db-1").value(pod("db-1", "team-b", "postgres:16", "Running"));
  for (let i = 0; i < FILLERS; i++) {
    await writer.put(`/s/pods/team-c/filler-${String(i).padStart(2, "0")}`).value(pod(`filler-${i}`, "team-c", "busybox:1.36", "Running"));
  }
  // What etcd holds after `kubectl apply` of a Secret written with stringData: the value in data,
  // and in clear in the annotation the apply wrote.
  const applied = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "team-a" },
    stringData: { password: SECRET_VALUE },
  };
  await writer.put("/s/secrets/team-a/db").value(
    Buffer.from(
      encodeKubernetesObject({
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "db",
          namespace: "team-a",
          uid: "u-db",
          creationTimestamp: "2026-01-01T00:00:00Z",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(applied) + "\n" },
        },
        type: "Opaque",
        data: { password: Buffer.from(SECRET_VALUE).toString("base64") },
      }),
    ),
  );
  await writer.put("/s/plain/note").value("remember the café at noon");
  before = Number((await writer.get("/s/plain/note").exec()).header.revision);
  await writer.put("/s/pods/team-a/web-2").value(pod("web-2", "team-a", "redis:7", "Running", { app: "web" }));
  compactedAt = Number((await writer.put("/s/plain/other").value("x").exec()).header.revision);
  writer.close();
}, 60_000);

afterAll(async () => {
  await etcd?.stop();
});

describe("GET /api/search", () => {
  it("finds keys by a substring of a decoded field or of the name, with where it matched", async () => {
    const { status, body } = await find(reader, `/api/search?prefix=${q("/s/")}&q=NGINX:1.25`);
    expect(status).toBe(200);
    expect(keysOf(body.items)).toEqual([oddName, "/s/pods/team-a/web-1"]);
    expect(body.items[1]).toMatchObject({ field: "spec.containers[0].image", snippet: "nginx:1.25" });
    // The key's exact bytes round-trip, ":" and non-ASCII and "+" included.
    expect(Buffer.from(base64ToBytes(body.items[0].keyBase64)).toString()).toBe(oddName);
    const byName = await find(reader, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent("café 1+x")}`);
    expect(keysOf(byName.body.items)).toEqual([oddName]); // two terms, "café" and "1+x": the note has only the first
    const quoted = await find(reader, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent('"café 1+x"')}`);
    expect(keysOf(quoted.body.items)).toEqual([oddName]);
    expect(quoted.body.items[0].field).toBe("key");
    const text = await find(reader, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent("/caf. at/")}`);
    expect(keysOf(text.body.items)).toEqual(["/s/plain/note"]);
  });

  it("evaluates field conditions on decoded Kubernetes objects", async () => {
    const ask = async (query: string) =>
      keysOf((await find(reader, `/api/search?prefix=${q("/s/pods/")}&q=${encodeURIComponent(query)}`)).body.items);
    expect(await ask("spec.containers[*].image=nginx:1.25")).toEqual([oddName, "/s/pods/team-a/web-1"]);
    expect(await ask("metadata.labels.app=web status.phase=Running")).toEqual(["/s/pods/team-a/web-1", "/s/pods/team-a/web-2"]);
    expect(await ask('metadata.labels["app.kubernetes.io/name"]=shop')).toEqual(["/s/pods/team-a/web-1"]);
    expect(await ask("status.phase!=Running")).toEqual([]);
    expect(await ask("metadata.namespace=team-b,spec.nodeName=node-1")).toEqual(["/s/pods/team-b/db-1"]);
  });

  it("pages with a cursor at one revision, every key scanned once, and counts the folder's keys", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let last: { scanned: number; total: number; revision: number } | undefined;
    do {
      const path: string = `/api/search?prefix=${q("/s/pods/")}&q=busybox&limit=5${cursor ? `&cursor=${cursor}` : ""}`;
      const { status, body } = await callAs(search, reader, path);
      expect(status).toBe(200);
      if (last) expect(body.revision).toBe(last.revision);
      seen.push(...keysOf(body.items));
      last = body;
      cursor = body.next;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(FILLERS / 5));
    expect(seen).toEqual(Array.from({ length: FILLERS }, (_, i) => `/s/pods/team-c/filler-${String(i).padStart(2, "0")}`));
    expect(last).toMatchObject({ scanned: FILLERS + 4, total: FILLERS + 4 });
    const bad = await callAs(search, reader, `/api/search?prefix=${q("/s/pods/")}&q=busybox&cursor=bm9wZQ`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/cursor/);
  });

  it("stops the scan when its reader goes away", async () => {
    const parsed = parseSearchQuery("busybox");
    const stop = new AbortController();
    const page = await searchValues(getCluster("main"), {
      prefix: Buffer.from("/s/pods/"),
      terms: (parsed as { terms: SearchTerm[] }).terms,
      ranges: visibleRanges(Buffer.from("/s/pods/")),
      limit: 100,
      budget: { ms: 60_000, keys: 1_000_000 },
      mayReveal: () => false,
      signal: stop.signal,
      onHit: () => stop.abort(),
    });
    expect(page.hits).toHaveLength(1);
    expect(page.scanned).toBeLessThan(page.total);
    expect(page.next).not.toBeNull();
  });

  it("streams matches and progress as NDJSON, ending with the page's counts", async () => {
    const response = await streamAs(reader, `/api/search?prefix=${q("/s/pods/")}&q=nginx&stream=1`);
    expect(response.headers.get("content-type")).toMatch(/ndjson/);
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as SearchStreamLineDto);
    expect(lines[0]).toMatchObject({ type: "start", total: FILLERS + 4 });
    expect(lines.filter((line) => line.type === "hit").map((line) => (line.type === "hit" ? line.item.key : ""))).toEqual([
      oddName,
      "/s/pods/team-a/web-1",
    ]);
    expect(lines.some((line) => line.type === "progress")).toBe(true);
    expect(lines[lines.length - 1]).toMatchObject({ type: "end", scanned: FILLERS + 4, next: null });
  });

  it("pins rev=: a key changed after it matches by its old value", async () => {
    const now = await find(reader, `/api/search?prefix=${q("/s/pods/")}&q=nginx:1.24`);
    expect(keysOf(now.body.items)).toEqual([]);
    const then = await find(reader, `/api/search?prefix=${q("/s/pods/")}&q=nginx:1.24&rev=${before}`);
    expect(then.status).toBe(200);
    expect(keysOf(then.body.items)).toEqual(["/s/pods/team-a/web-2"]);
    expect(then.body.revision).toBe(before);
    const conflict = await callAs(search, reader, `/api/search?prefix=${q("/s/pods/")}&q=x&rev=${before}&cursor=${"x".repeat(8)}`);
    expect(conflict.status).toBe(400);
  });

  it("matches Secrets only on their masked form unless the viewer may reveal them", async () => {
    const probes = [
      SECRET_VALUE,
      "/hunter2/",
      '/"password":"h/',
      "/^<masked>$/",
      `data.password=${Buffer.from(SECRET_VALUE).toString("base64")}`,
    ];
    for (const probe of probes) {
      const { status, body } = await find(reader, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent(probe)}`);
      expect(status, probe).toBe(200);
      expect(keysOf(body.items), probe).toEqual([]);
    }
    const stream = await streamAs(reader, `/api/search?prefix=${q("/s/")}&q=hunter2&stream=1`);
    expect(await stream.text()).not.toContain("hunter2");
    // The same probes find it for a viewer who may reveal it (or the probes prove nothing), and that is a reveal.
    for (const probe of probes.slice(0, 3)) {
      const { body } = await find(revealer, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent(probe)}`);
      expect(keysOf(body.items), probe).toEqual(["/s/secrets/team-a/db"]);
    }
    await flushAuditTrail();
    const reveals = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((line) => line.action === "reveal");
    expect(reveals.length).toBe(3);
    expect(reveals[0]).toMatchObject({ user: "rev", key: "/s/secrets/team-a/db", outcome: "allowed" });
  });

  it("scans and counts only the keys the viewer may read", async () => {
    const { status, body } = await callAs(search, teamA, `/api/search?prefix=${q("/s/")}&q=Running`);
    expect(status).toBe(200);
    expect(keysOf(body.items)).toEqual([oddName, "/s/pods/team-a/web-1", "/s/pods/team-a/web-2"]);
    expect(body).toMatchObject({ total: 3, scanned: 3 });
    const refused = await callAs(search, teamA, `/api/search?prefix=${q("/s/secrets/")}&q=db`);
    expect(refused.status).toBe(403);
  });

  it("refuses malformed queries with a 400 that says why", async () => {
    const bad = await callAs(search, reader, `/api/search?prefix=${q("/s/")}&q=${encodeURIComponent("/(a+)+$/")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^"q": .*exponential/);
    const empty = await callAs(search, reader, `/api/search?prefix=${q("/s/")}&q=`);
    expect(empty.status).toBe(400);
  });

  it("answers a compacted revision with a 410 naming the oldest one available", async () => {
    const writer = seedingClient(etcd);
    await writer.kv.compact({ revision: String(compactedAt), physical: true });
    writer.close();
    const { status, body } = await callAs(search, reader, `/api/search?prefix=${q("/s/")}&q=nginx&rev=${before}`);
    expect(status).toBe(410);
    expect(body.error).toMatchObject({ code: "compacted", compactRevision: compactedAt });
    expect(body.error.message).toContain(`oldest revision still available is ${compactedAt}`);
  });
});
