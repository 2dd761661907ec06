import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as compareRoute } from "@/app/api/compare/route";
import { GET as exportRoute } from "@/app/api/export/route";
import { flushAuditTrail } from "@/lib/audit";
import { encodeViewer, VIEWER_HEADER } from "@/lib/auth/viewer-header";
import { encodeKubernetesObject } from "@/lib/decode";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callAs, viewer } from "./access-support";
import { seedingClient, startTestEtcd } from "./support";

// GET /api/export against a real etcd: Pods in protobuf with every server-populated field, a
// Secret applied with kubectl apply (its value repeated in the last-applied annotation), a text
// value, binary bytes, and keys made to escape a tar ("..", absolute, NUL, a key that is also a
// folder); YAML read back as kubectl would, JSON lines, the tar read back by GNU tar, revision
// pinning, masking, the audit of a revealing export, and access rules.

let etcd: EtcdProcess;
let second: EtcdProcess; // a second cluster, "second"
const auditLog = join(tmpdir(), "etcdlens-test", `export-audit-${process.pid}.jsonl`);
const q = (text: string) => encodeKeyParam(Buffer.from(text));
const reader = viewer("ana"); // read on /x/, no reveal
const revealer = viewer("rev");
const teamA = viewer("tia"); // /x/pods/a/ only
const SECRET_VALUE = "hunter2-export-value";
const BINARY = Buffer.from([0xff, 0x00, 0x01, 0xfe, 0x80]);
let before: number; // the revision before web-1's image changed

const pod = (name: string, image: string, generation = 2) =>
  Buffer.from(
    encodeKubernetesObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: "a",
        uid: `u-${name}`,
        generation,
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: { app: "web" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Pod"}\n', team: "a" },
        managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1" }],
      },
      spec: { containers: [{ name: "app", image }] },
      status: { phase: "Running" },
    }),
  );

async function download(who: typeof reader, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer; text: string }> {
  const response = await exportRoute(new Request(`http://127.0.0.1${path}`, { headers: { [VIEWER_HEADER]: encodeViewer(who) } }));
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString("utf8") };
}

const linesOf = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

beforeAll(async () => {
  etcd = await startTestEtcd("export");
  process.env.ETCDLENS_AUDIT_LOG = auditLog;
  second = await startTestEtcd("export-second");
  // As access-support.ts's useAccessRules, with the second etcd as a third cluster.
  const dir = join(tmpdir(), "etcdlens-test", `export-config-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const clusters = [
    { name: "main", endpoints: [etcd.endpoint] },
    { name: "second", endpoints: [second.endpoint] },
  ];
  const access = [
    { users: ["ana"], clusters: ["main", "second"], prefixes: ["/x/"], rights: ["list", "read"] },
    { users: ["rev"], clusters: ["main"], prefixes: ["/x/"], rights: ["list", "read", "reveal"] },
    { users: ["tia"], clusters: ["main", "second"], prefixes: ["/x/pods/a/"], rights: ["list", "read"] },
  ];
  writeFileSync(join(dir, "etcdlens.yaml"), JSON.stringify({ clusters, access }, null, 2));
  process.env.ETCDLENS_CONFIG = join(dir, "etcdlens.yaml");
  process.env.ETCDLENS_AUTH = "proxy";
  process.env.ETCDLENS_PROXY_USER_HEADER = "x-test-user";
  process.env.ETCDLENS_TRUSTED_PROXIES = "127.0.0.1";
  const writer = seedingClient(etcd);
  await writer.put("/x/pods/a/web-1").value(pod("web-1", "nginx:1.24"));
  await writer.put("/x/pods/a/web-2").value(pod("web-2", "nginx:1.25"));
  await writer.put("/x/pods/b/db-1").value(pod("db-1", "postgres:16"));
  const applied = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "a" }, stringData: { password: SECRET_VALUE } };
  await writer.put("/x/secrets/a/db").value(
    Buffer.from(
      encodeKubernetesObject({
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "db",
          namespace: "a",
          uid: "u-db",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(applied) + "\n" },
        },
        type: "Opaque",
        data: { password: Buffer.from(SECRET_VALUE).toString("base64") },
      }),
    ),
  );
  await writer.put("/x/plain/note").value("a note, not an object");
  await writer.put(Buffer.concat([Buffer.from("/x/plain/bin\0")])).value(BINARY);
  await writer.put("/x/odd/../../escaped").value("dots");
  await writer.put("/x/odd//abs").value("double slash");
  await writer.put("/x/odd/dir").value("a key that is also a folder");
  await writer.put("/x/odd/dir/child").value("inside it");
  before = Number((await writer.get("/x/odd/dir/child").exec()).header.revision);
  await writer.put("/x/pods/a/web-1").value(pod("web-1", "redis:7"));
  writer.close();
  // The other cluster: web-1 as main has it now, web-2 differing in noise only, db-1 missing, and more.
  const other = seedingClient(second);
  await other.put("/x/pods/a/web-1").value(pod("web-1", "redis:7"));
  await other.put("/x/pods/a/web-2").value(pod("web-2", "nginx:1.25", 9));
  await other.put("/x/pods/c/new").value(pod("new", "busybox"));
  await other.put("/x/plain/note").value("a different note");
  other.close();
}, 60_000);

afterAll(async () => {
  await etcd?.stop();
  await second?.stop();
});

describe("GET /api/export", () => {
  it("writes Kubernetes YAML that parses back as apply-ready objects, with the rest as comments", async () => {
    const { status, headers, text } = await download(reader, `/api/export?prefix=${q("/x/")}`);
    expect(status).toBe(200);
    expect(headers.get("content-disposition")).toMatch(/^attachment; filename="x-rev\d+\.yaml"$/);
    expect(Number(headers.get("x-etcdlens-total-keys"))).toBe(10);
    expect(text).toMatch(/^# etcdlens export of prefix "\/x\/" of cluster "main" at revision \d+: 10 keys/);
    expect(text).toContain("To keep any, add keep=resourceVersion,uid,");
    const documents = parseAllDocuments(text).map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS();
    });
    const objects = documents.filter((each) => each !== null);
    expect(objects.map((each) => each.metadata.name)).toEqual(["web-1", "web-2", "db-1"]);
    const web1 = objects[0];
    expect(web1.spec.containers[0].image).toBe("redis:7");
    expect(web1.metadata).toEqual({ name: "web-1", namespace: "a", labels: { app: "web" }, annotations: { team: "a" } });
    expect(web1).not.toHaveProperty("status");
    // The masked Secret is not a document (applying it would write the placeholder), and nothing of its value shows.
    expect(text).toContain("# skipped /x/secrets/a/db: a Secret with masked values");
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"));
    expect(text).toContain("# skipped /x/plain/note: not a Kubernetes object (text)");
    expect(text).toContain("# end of export: 10 keys");

    const kept = await download(reader, `/api/export?prefix=${q("/x/pods/")}&keep=status,uid`);
    const keptObjects = parseAllDocuments(kept.text)
      .map((document) => document.toJS())
      .filter((each) => each !== null);
    expect(keptObjects[0].status).toEqual({ phase: "Running" });
    expect(keptObjects[0].metadata.uid).toBe("u-web-1");
    expect(keptObjects[0].metadata).not.toHaveProperty("creationTimestamp");
  });

  it("pins an export to the revision asked for, and answers bad input with a 400 message", async () => {
    const old = await download(reader, `/api/export?key=${q("/x/pods/a/web-1")}&rev=${before}&format=jsonl`);
    expect(old.status).toBe(200);
    expect(old.headers.get("x-etcdlens-revision")).toBe(String(before));
    const [line] = linesOf(old.text);
    expect(line.value.spec.containers[0].image).toBe("nginx:1.24");
    expect(line.revision).toBeLessThanOrEqual(before);
    const badFormat = await download(reader, `/api/export?prefix=${q("/x/")}&format=zip`);
    expect(badFormat.status).toBe(400);
    expect(JSON.parse(badFormat.text).error.message).toContain('"format" is yaml, jsonl or tar');
    const badKeep = await download(reader, `/api/export?prefix=${q("/x/")}&keep=spec`);
    expect(badKeep.status).toBe(400);
    const future = await download(reader, `/api/export?prefix=${q("/x/")}&rev=${before + 1000}`);
    expect(future.status).toBe(400);
  });

  it("writes one JSON line a key, saying what each value holds, Secret values masked", async () => {
    const { status, text } = await download(reader, `/api/export?prefix=${q("/x/")}&format=jsonl`);
    expect(status).toBe(200);
    const lines = linesOf(text);
    expect(lines.map((line) => line.key)).toEqual([
      "/x/odd/../../escaped",
      "/x/odd//abs",
      "/x/odd/dir",
      "/x/odd/dir/child",
      "/x/plain/bin\\x00",
      "/x/plain/note",
      "/x/pods/a/web-1",
      "/x/pods/a/web-2",
      "/x/pods/b/db-1",
      "/x/secrets/a/db",
    ]);
    const byKey = new Map(lines.map((line) => [line.key, line]));
    expect(Buffer.from(byKey.get("/x/plain/bin\\x00").keyBase64, "base64")).toEqual(Buffer.from("/x/plain/bin\0"));
    expect(byKey.get("/x/plain/bin\\x00")).toMatchObject({ valueEncoding: "base64", value: BINARY.toString("base64") });
    expect(byKey.get("/x/plain/note")).toMatchObject({ valueEncoding: "text", value: "a note, not an object" });
    expect(byKey.get("/x/pods/a/web-1")).toMatchObject({ valueEncoding: "object", version: 2 });
    expect(byKey.get("/x/secrets/a/db")).toMatchObject({
      valueEncoding: "object",
      masked: true,
      value: { data: { password: "<masked>" } },
    });
    expect(text).not.toContain(SECRET_VALUE);
  });

  it("writes a tar GNU tar lists and extracts inside its directory, one file per key", async () => {
    const { status, bytes } = await download(reader, `/api/export?prefix=${q("/x/")}&format=tar`);
    expect(status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "etcdlens-export-"));
    writeFileSync(join(dir, "export.tar"), bytes);
    const listed = spawnSync("tar", ["-tf", "export.tar"], { cwd: dir, encoding: "utf8" });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split("\n")).toEqual([
      "x/odd/%2E%2E/%2E%2E/escaped.bin",
      "x/odd/%/abs.bin",
      "x/odd/dir.bin",
      "x/odd/dir/child.bin",
      "x/plain/bin%00.bin",
      "x/plain/note.bin",
      "x/pods/a/web-1.yaml",
      "x/pods/a/web-2.yaml",
      "x/pods/b/db-1.yaml",
      "EXPORT-NOTES.txt",
    ]);
    mkdirSync(join(dir, "out"));
    const extracted = spawnSync("tar", ["-xf", "../export.tar"], { cwd: join(dir, "out"), encoding: "utf8" });
    expect(extracted.status, extracted.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["export.tar", "out"]); // nothing written beside the directory
    expect(readFileSync(join(dir, "out/x/odd/%2E%2E/%2E%2E/escaped.bin"), "utf8")).toBe("dots");
    expect(readFileSync(join(dir, "out/x/plain/bin%00.bin"))).toEqual(BINARY);
    expect(readFileSync(join(dir, "out/x/odd/dir/child.bin"), "utf8")).toBe("inside it");
    const web1 = parseAllDocuments(readFileSync(join(dir, "out/x/pods/a/web-1.yaml"), "utf8"))[0].toJS();
    expect(web1.spec.containers[0].image).toBe("redis:7");
    expect(web1.metadata).not.toHaveProperty("uid");
    const notes = readFileSync(join(dir, "out/EXPORT-NOTES.txt"), "utf8");
    expect(notes).toContain("/x/secrets/a/db: a Secret with masked values");
    expect(bytes.includes(Buffer.from(SECRET_VALUE))).toBe(false);
    // A folder of masked Secrets alone: nothing but the notes, and the download ends.
    const secrets = await download(reader, `/api/export?prefix=${q("/x/secrets/")}&format=tar`);
    writeFileSync(join(dir, "secrets.tar"), secrets.bytes);
    expect(spawnSync("tar", ["-tf", "secrets.tar"], { cwd: dir, encoding: "utf8" }).stdout.trim()).toBe("EXPORT-NOTES.txt");
  });

  it("exports Secrets unmasked only for a viewer who may reveal them, and audits that export once", async () => {
    const { text } = await download(revealer, `/api/export?prefix=${q("/x/secrets/")}`);
    const [secret] = parseAllDocuments(text)
      .map((document) => document.toJS())
      .filter((each) => each !== null);
    expect(Buffer.from(secret.data.password, "base64").toString()).toBe(SECRET_VALUE);
    expect(secret.metadata).not.toHaveProperty("annotations"); // last-applied (the value in clear again) stripped
    await download(reader, `/api/export?prefix=${q("/x/")}&format=jsonl`);
    await flushAuditTrail();
    const exports = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.action === "export");
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ user: "rev", prefix: "/x/secrets/", outcome: "allowed", cluster: "main" });
  });

  it("exports only the keys the viewer may read", async () => {
    const { status, text } = await download(teamA, `/api/export?prefix=${q("/x/")}&format=jsonl`);
    expect(status).toBe(200);
    expect(linesOf(text).map((line) => line.key)).toEqual(["/x/pods/a/web-1", "/x/pods/a/web-2"]);
    expect((await download(teamA, `/api/export?key=${q("/x/pods/b/db-1")}`)).status).toBe(403);
  });
});

const keysIn = (entries: { key: string }[]) => entries.map((entry) => entry.key);

describe("GET /api/compare", () => {
  it("compares two revisions of one cluster, pinned to each", async () => {
    const { status, body } = await callAs(compareRoute, reader, `/api/compare?left=main@${before}&right=main&prefix=${q("/x/pods/")}`);
    expect(status).toBe(200);
    expect(body.left.revision).toBe(before);
    expect(keysIn(body.changed)).toEqual(["/x/pods/a/web-1"]);
    expect(body.changed[0].leftRevision).toBeLessThanOrEqual(before);
    expect(body.counts).toEqual({ onlyLeft: 0, onlyRight: 0, changed: 1, sameAfterNoise: 0, same: 2 });
    expect(body.folders).toEqual([
      { folder: "/x/pods/a/", counts: { onlyLeft: 0, onlyRight: 0, changed: 1, sameAfterNoise: 0, same: 1 } },
      { folder: "/x/pods/b/", counts: { onlyLeft: 0, onlyRight: 0, changed: 0, sameAfterNoise: 0, same: 1 } },
    ]);
    expect(body.next).toBeNull();
  });

  it("compares two clusters: only left, only right, changed, and same after noise; the revision after @", async () => {
    const { status, body } = await callAs(compareRoute, reader, `/api/compare?left=main&right=second@&prefix=${q("/x/")}`);
    expect(status).toBe(200);
    expect(body.right.cluster).toBe("second"); // "second@": the current revision, as a name ending in @digits is written
    expect(keysIn(body.onlyLeft)).toEqual([
      "/x/odd/../../escaped",
      "/x/odd//abs",
      "/x/odd/dir",
      "/x/odd/dir/child",
      "/x/plain/bin\\x00",
      "/x/pods/b/db-1",
      "/x/secrets/a/db",
    ]);
    expect(keysIn(body.onlyRight)).toEqual(["/x/pods/c/new"]);
    expect(keysIn(body.changed)).toEqual(["/x/plain/note"]); // web-2 differs by generation alone: noise
    expect(body.counts).toEqual({ onlyLeft: 7, onlyRight: 1, changed: 1, sameAfterNoise: 1, same: 1 });
    const unknown = await callAs(compareRoute, reader, `/api/compare?left=main&right=${encodeURIComponent("ops@2")}&prefix=${q("/x/")}`);
    expect(unknown.status).toBe(403); // "ops" at revision 2: a cluster the viewer has no rule for
    const zero = await callAs(compareRoute, reader, `/api/compare?left=main@0&right=second&prefix=${q("/x/")}`);
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toContain("revision 0 is not a revision");
  });

  it("pages with a cursor at the same revisions, and walks only what the viewer may read", async () => {
    const seen: string[] = [];
    let path = `/api/compare?left=main&right=second@&prefix=${q("/x/")}&limit=2`;
    let pages = 0;
    for (;;) {
      const { status, body } = await callAs(compareRoute, reader, path);
      expect(status).toBe(200);
      pages += 1;
      seen.push(...keysIn([...body.onlyLeft, ...body.onlyRight, ...body.changed]));
      if (!body.next) break;
      path = `/api/compare?left=main&right=second@&prefix=${q("/x/")}&limit=2&cursor=${body.next}`;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    const scoped = await callAs(compareRoute, teamA, `/api/compare?left=main&right=second@&prefix=${q("/x/")}`);
    expect(scoped.body.counts).toEqual({ onlyLeft: 0, onlyRight: 0, changed: 0, sameAfterNoise: 1, same: 1 });
    const bad = await callAs(compareRoute, reader, `/api/compare?left=main&right=main&prefix=${q("/x/")}&cursor=nope`);
    expect(bad.status).toBe(400);
  });
});
