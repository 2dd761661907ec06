import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { flushAuditTrail, listAudit } from "@/lib/audit";
import { AUDIT_LINE_KIND, type AuditEntry } from "@/lib/audit/entry";
import { AuditTrail } from "@/lib/audit/trail";
import { encodeKubernetesObject } from "@/lib/decode";
import { base64ToBytes, encodeKeyParam, keyToDisplay } from "@/lib/keys";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The audit trail end to end with real parts: the reveal routes against a real etcd write one
// JSON line per reveal to a real file (ETCDLENS_AUDIT_LOG) and the same entry into the archive
// (SQLite here; both engines in audit-archive.test.ts), keys with ':', spaces, non-ASCII and
// non-UTF-8 bytes shown so that no two print alike. Then the log itself: stdout mode, a line that
// outlives its process killed at once, a path that cannot be opened reported (and recovered),
// and log rotation followed.

let etcd: EtcdProcess;
const dir = scratchDir(join(tmpdir(), "etcdlens-test"), "audit-trail");
const logPath = join(dir, "audit.log");
mkdirSync(dir, { recursive: true });

// A key Kubernetes would never write but etcd holds: ':' and spaces, 'é', a byte 0xff that is
// not UTF-8, and a backslash. Its twin spells the escape out literally: it must print differently.
const oddKey = Buffer.concat([Buffer.from("/registry/secrets/shop/db: créds "), Buffer.from([0xff]), Buffer.from("\\end")]);
const twinKey = Buffer.from("/registry/secrets/shop/db: créds \\xff\\end");
const undecodableKey = Buffer.from("/registry/secrets/shop/opaque blob");
const plainSecretKey = Buffer.from("/registry/secrets/shop/plain");

const secret = (name: string, password: string) =>
  Buffer.from(
    encodeKubernetesObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: "shop", uid: `u-${name}`, creationTimestamp: "2026-01-01T00:00:00Z" },
      type: "Opaque",
      data: { password: Buffer.from(password).toString("base64") },
    }),
  );

const revisions = new Map<string, number>();

function readLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function runChild(mode: string, env: Record<string, string>, ...args: string[]) {
  // node itself, not the tsx launcher, so that a signal ending it is the child's own.
  return spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "test/support/audit-child.ts", mode, ...args], {
    env: { ...process.env, ETCDLENS_ARCHIVE: "off", ETCDLENS_CONFIG: "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

beforeAll(async () => {
  etcd = await startTestEtcd("audit-trail");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_REVEAL_SECRETS = "true";
  process.env.ETCDLENS_AUDIT_LOG = logPath;
  const writer = seedingClient(etcd);
  for (const [key, value] of [
    [oddKey, secret("odd", "odd-password")],
    [twinKey, secret("twin", "twin-password")],
    [plainSecretKey, secret("plain", "plain-password")],
    [undecodableKey, Buffer.concat([Buffer.from([0x00, 0x01, 0x02]), Buffer.from("password=opaque")])],
  ] as const) {
    const response = await writer.put(key).value(value).exec();
    revisions.set(key.toString("hex"), Number(response.header.revision));
  }
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

const passwordPath = encodeURIComponent(JSON.stringify(["data", "password"]));

describe("the reveal routes write the audit trail", () => {
  it("writes one JSON line per reveal, with who, the cluster, the key shown unambiguously, the revision and the field", async () => {
    const before = readLines(logPath).length;
    for (const key of [oddKey, twinKey]) {
      const { status } = await callRoute(getSecret, `/api/secret?key=${encodeKeyParam(key)}&path=${passwordPath}`);
      expect(status).toBe(200);
    }
    const lines = readLines(logPath).slice(before);
    expect(lines).toHaveLength(2);
    const [odd, twin] = lines;
    expect(odd).toEqual({
      kind: AUDIT_LINE_KIND,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      user: "anonymous",
      groups: [],
      via: "none",
      action: "reveal",
      outcome: "allowed",
      cluster: "default",
      key: "/registry/secrets/shop/db: créds \\xff\\\\end",
      revision: revisions.get(oddKey.toString("hex")),
      field: ["data", "password"],
    });
    expect(Math.abs(Date.parse(odd.time as string) - Date.now())).toBeLessThan(60_000);
    expect(twin.key).toBe("/registry/secrets/shop/db: créds \\\\xff\\\\end");
    expect(twin.key).toBe(keyToDisplay(twinKey));
    expect(odd.key).not.toBe(twin.key);
    // The password never reaches the trail.
    expect(readFileSync(logPath, "utf8")).not.toContain("odd-password");
  });

  it("writes a reveal for the raw bytes of a Secret that cannot be decoded, and nothing for what is refused or absent", async () => {
    const before = readLines(logPath).length;
    const refused = await callRoute(getRaw, `/api/raw?key=${encodeKeyParam(plainSecretKey)}`);
    expect(refused.status).toBe(403);
    const absent = await callRoute(
      getSecret,
      `/api/secret?key=${encodeKeyParam(plainSecretKey)}&path=${encodeURIComponent('["data","nothing"]')}`,
    );
    expect(absent.status).toBe(404);
    expect(readLines(logPath).slice(before)).toEqual([]);
    const raw = await callRoute(getRaw, `/api/raw?key=${encodeKeyParam(undecodableKey)}`);
    expect(raw.status).toBe(200);
    const lines = readLines(logPath).slice(before);
    expect(lines).toEqual([
      expect.objectContaining({
        action: "reveal",
        outcome: "allowed",
        key: "/registry/secrets/shop/opaque blob",
        revision: revisions.get(undecodableKey.toString("hex")),
        reason: "the raw bytes of a Secret that cannot be decoded",
      }),
    ]);
    expect(lines[0].field).toBeUndefined();
  });

  it("keeps the same entries in the archive, newest first, with the key's exact bytes, and serves them on /api/audit", async () => {
    await flushAuditTrail();
    const page = await listAudit({ limit: 10, action: "reveal" });
    expect(page.archived).toBe(true);
    const keys = page.entries.map((entry) => entry.key?.toString("hex"));
    expect(keys.slice(0, 3)).toEqual([undecodableKey, twinKey, oddKey].map((key) => key.toString("hex")));

    const { status, body } = await callRoute(getAudit, "/api/audit?limit=2&action=reveal");
    expect(status).toBe(200);
    expect(body.archived).toBe(true);
    expect(body.status).toEqual({ log: { target: "file", state: "writing" }, archive: { state: "writing", pending: 0 } });
    expect(body.entries.map((entry: { key: string }) => entry.key)).toEqual([keyToDisplay(undecodableKey), keyToDisplay(twinKey)]);
    const { kind: _kind, ...lineOfTwin } = readLines(logPath).find((line) => line.key === keyToDisplay(twinKey))!;
    expect(body.entries[1]).toEqual({ ...lineOfTwin, id: expect.any(String), keyBase64: twinKey.toString("base64") });
    expect(Buffer.from(base64ToBytes(body.entries[1].keyBase64)).equals(twinKey)).toBe(true);
    expect(body.nextBefore).toBe(body.entries[1].id);
    const next = await callRoute(getAudit, `/api/audit?limit=2&action=reveal&before=${body.nextBefore}`);
    expect(next.body.entries.map((entry: { key: string }) => entry.key)).toEqual([keyToDisplay(oddKey)]);
    expect(next.body.nextBefore).toBeNull();
  });

  it("refuses filters that are not the trail's", async () => {
    const { status, body } = await callRoute(getAudit, "/api/audit?action=delete-everything");
    expect(status).toBe(400);
    expect(body.error.message).toContain("action");
    expect((await callRoute(getAudit, "/api/audit?before=abc")).status).toBe(400);
    expect((await callRoute(getAudit, "/api/audit?limit=100000")).status).toBe(400);
  });
});

const entry = (index: number): AuditEntry => ({
  user: "dave",
  groups: ["dev"],
  via: "token",
  cluster: "default",
  key: Buffer.from(`/registry/secrets/x/s${index}`),
  action: "reveal",
  outcome: "allowed",
});

const noArchive = async () => null;

describe("the audit log", () => {
  it("writes to stdout with ETCDLENS_AUDIT_LOG=-, one line per entry, beside nothing else on stdout", () => {
    const child = runChild("record", { ETCDLENS_AUDIT_LOG: "-" }, "3");
    expect(child.status).toBe(0);
    const lines = child.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.map((line) => line.key)).toEqual([0, 1, 2].map((index) => `/registry/secrets/child/s${index} é \\xfe`));
    expect(parsed.every((line) => line.kind === AUDIT_LINE_KIND && line.user === "carol" && line.via === "proxy")).toBe(true);
  });

  it("keeps a line written by a process killed right after recording it", () => {
    const path = join(dir, "crash.log");
    const child = runChild("crash", { ETCDLENS_AUDIT_LOG: path });
    expect(child.signal).toBe("SIGKILL");
    expect(readLines(path)).toEqual([expect.objectContaining({ key: "/registry/secrets/child/s0 é \\xfe", revision: 40 })]);
  });

  it("says once, at the start, that a file that cannot be opened is not written, and the status says so without the path", () => {
    const path = join(dir, "missing-folder", "audit.log");
    const child = runChild("open", { ETCDLENS_AUDIT_LOG: path });
    expect(child.status).toBe(0);
    const said = child.stderr.split("\n").filter((line) => line.includes("etcdlens audit"));
    expect(said).toEqual([
      `etcdlens audit: ETCDLENS_AUDIT_LOG ${path} cannot be opened (ENOENT: no such file or directory): audit lines are not written to it until it works`,
    ]);
  });

  it("reports an unwritable path in its status, counts the lost lines, and writes again once the path works", async () => {
    const folder = join(dir, "later");
    const path = join(folder, "audit.log");
    const said: string[] = [];
    const trail = new AuditTrail(
      { target: "file", path },
      { archive: noArchive, describeArchiveError: String, log: (line) => said.push(line) },
    );
    trail.record(entry(0));
    trail.record(entry(1));
    expect(trail.status().log).toEqual({
      target: "file",
      state: "failing",
      error: "ETCDLENS_AUDIT_LOG cannot be opened (ENOENT: no such file or directory)",
      lost: 2,
    });
    expect(said).toHaveLength(1);
    mkdirSync(folder);
    // Opened again on the first line after a pause, not on every line.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    trail.record(entry(2));
    await trail.flush();
    expect(trail.status().log).toEqual({ target: "file", state: "writing" });
    expect(readLines(path).map((line) => line.key)).toEqual(["/registry/secrets/x/s2"]);
    expect(said[1]).toContain("is written again (2 lines were lost)");
    trail.close();
  });

  it("reports a path that is a folder", () => {
    const said: string[] = [];
    const trail = new AuditTrail(
      { target: "file", path: dir },
      { archive: noArchive, describeArchiveError: String, log: (line) => said.push(line) },
    );
    trail.record(entry(0));
    expect(trail.status().log).toMatchObject({
      state: "failing",
      error: "ETCDLENS_AUDIT_LOG cannot be opened (EISDIR: illegal operation on a directory)",
    });
    trail.close();
  });

  it("follows log rotation: after the file is moved away, lines go to a new file at the path", async () => {
    const path = join(dir, "rotated.log");
    const trail = new AuditTrail({ target: "file", path }, { archive: noArchive, describeArchiveError: String });
    trail.record(entry(0));
    renameSync(path, `${path}.1`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    trail.record(entry(1));
    await trail.flush();
    expect(readLines(`${path}.1`).map((line) => line.key)).toEqual(["/registry/secrets/x/s0"]);
    expect(readLines(path).map((line) => line.key)).toEqual(["/registry/secrets/x/s1"]);
    trail.close();
  });

  it("never throws at its caller, whatever it is given", () => {
    const trail = new AuditTrail(
      { target: "file", path: join(dir, "odd.log") },
      { archive: noArchive, describeArchiveError: String, log: () => {} },
    );
    // A bigint is not JSON: a caller's bug must not fail the request it audits.
    expect(() => trail.record({ ...entry(0), revision: 1n as unknown as number })).not.toThrow();
    trail.close();
  });
});
