import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flushAuditTrail } from "@/lib/audit";
import { encodeKubernetesObject } from "@/lib/decode";
import { concatBytes, encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";
import { callAs, useAccessRules, viewer } from "./access-support";

// One key's routes (/api/key, /api/history, /api/diff) under access rules: the read right on the
// key, refused with a 403 naming the rule that would allow it, for a key that exists and for one
// that does not alike; prefixes with ":", spaces, non-ASCII and keys with bytes that are not UTF-8.

let etcd: EtcdProcess;
const auditLog = join(tmpdir(), "etcdlens-test", `access-keys-audit-${process.pid}.jsonl`);
const q = (key: string | Uint8Array) => encodeKeyParam(typeof key === "string" ? Buffer.from(key) : key);
const dev = viewer("ana", "dev");
const ops = viewer("olu", "ops");
const stranger = viewer("sam");
const notUtf8 = concatBytes(Buffer.from("/registry/configmaps/dev/"), Uint8Array.of(0xff, 0xfe, 0x3a));
const hiddenNotUtf8 = concatBytes(Buffer.from("/registry/configmaps/prod/"), Uint8Array.of(0xff));
const secret = (name: string) =>
  Buffer.from(
    encodeKubernetesObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: "dev", uid: `u-${name}`, creationTimestamp: "2026-01-01T00:00:00Z" },
      type: "Opaque",
      data: { password: Buffer.from("hunter2").toString("base64") },
    }),
  );

beforeAll(async () => {
  etcd = await startTestEtcd("access-keys");
  process.env.ETCDLENS_AUDIT_LOG = auditLog;
  useAccessRules(etcd, "access-keys", [
    {
      groups: ["dev"],
      clusters: ["main"],
      prefixes: [
        "/registry/configmaps/dev/",
        "/registry/clusterroles/system:aggregate-",
        "/registry/namespaces/my space/",
        "/registry/configmaps/café/",
        "/registry/secrets/dev/",
      ],
      rights: ["list", "read"],
    },
    { groups: ["ops"], clusters: "*", prefixes: ["/registry/secrets/"], rights: ["reveal"] },
    { users: ["lee"], clusters: ["main"], prefixes: ["/registry/configmaps/dev/"], rights: ["list"] },
  ]);
  const writer = seedingClient(etcd);
  await writer.put("/registry/configmaps/dev/app").value("v1").exec();
  await writer.put("/registry/configmaps/dev/app").value("v2").exec();
  await writer.put("/registry/configmaps/prod/db").value("secret-ish").exec();
  await writer.put("/registry/clusterroles/system:aggregate-to-admin").value("role").exec();
  await writer.put("/registry/clusterroles/system:auth-delegator").value("other role").exec();
  await writer.put("/registry/namespaces/my space/x").value("spaced").exec();
  await writer.put("/registry/configmaps/café/menu").value("crème").exec();
  await writer.put(Buffer.from(notUtf8)).value("bytes").exec();
  await writer.put(Buffer.from(hiddenNotUtf8)).value("bytes").exec();
  await writer.put("/registry/secrets/dev/db").value(secret("db")).exec();
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe("/api/key under access rules", () => {
  it("answers a key under a granted prefix, including ':' and spaces, non-ASCII and bytes that are not UTF-8", async () => {
    for (const key of [
      "/registry/configmaps/dev/app",
      "/registry/clusterroles/system:aggregate-to-admin",
      "/registry/namespaces/my space/x",
      "/registry/configmaps/café/menu",
    ]) {
      const { status, body } = await callAs(getKey, dev, `/api/key?key=${q(key)}`);
      expect(status, key).toBe(200);
      expect(body.kv.key).toBe(key);
    }
    const { status, body } = await callAs(getKey, dev, `/api/key?key=${q(notUtf8)}`);
    expect(status).toBe(200);
    expect(Buffer.from(body.kv.keyBase64, "base64")).toEqual(Buffer.from(notUtf8));
  });

  it("refuses a key outside every granted prefix with a 403 naming the rule that would allow it", async () => {
    const { status, body } = await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/prod/db")}`);
    expect(status).toBe(403);
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message).toContain('may not read "/registry/configmaps/prod/db" in cluster "main"');
    expect(body.error.message).toContain("prefixes: [/registry/configmaps/prod/], rights: [read]");
    // A neighbour of a granted prefix that only shares its first bytes is outside it.
    expect((await callAs(getKey, dev, `/api/key?key=${q("/registry/clusterroles/system:auth-delegator")}`)).status).toBe(403);
    expect((await callAs(getKey, dev, `/api/key?key=${q(hiddenNotUtf8)}`)).status).toBe(403);
  });

  it("refuses a denied key that does not exist exactly as one that does (no 404 telling them apart)", async () => {
    const existing = await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/prod/db")}`);
    const missing = await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/prod/nothing")}`);
    expect(missing.status).toBe(403);
    expect(missing.body.error.message.replace("nothing", "db")).toBe(existing.body.error.message);
    // Where the viewer may read, a missing key is the usual 404.
    expect((await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/dev/nothing")}`)).status).toBe(404);
  });

  it("needs read, not only list, for a value; a viewer with no rule gets nothing; no viewer is a 401", async () => {
    const lee = viewer("lee");
    const listOnly = await callAs(getKey, lee, `/api/key?key=${q("/registry/configmaps/dev/app")}`);
    expect(listOnly.status).toBe(403);
    expect(listOnly.body.error.message).toContain("may not read");
    expect((await callAs(getKey, stranger, `/api/key?key=${q("/registry/configmaps/dev/app")}`)).status).toBe(403);
    expect((await callAs(getKey, undefined, `/api/key?key=${q("/registry/configmaps/dev/app")}`)).status).toBe(401);
  });

  it("refuses a cluster without a rule, and an unknown cluster name without listing the configured ones", async () => {
    const other = await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/dev/app")}&cluster=other`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('no access rule for cluster "other"');
    const unknown = await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/dev/app")}&cluster=nope`);
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.message).not.toContain("main");
    // A rule for every cluster ("*") sees the second one.
    expect((await callAs(getKey, ops, `/api/key?key=${q("/registry/secrets/dev/db")}&cluster=other`)).status).toBe(200);
  });

  it("says revealAllowed only to a viewer with the reveal right on the key, and keeps the value masked", async () => {
    const asDev = await callAs(getKey, dev, `/api/key?key=${q("/registry/secrets/dev/db")}`);
    expect(asDev.status).toBe(200);
    expect(asDev.body.revealAllowed).toBe(false);
    // What the page says: the missing rule, not the sign-in-off server setting, which would not help.
    expect(asDev.body.revealRefusal).toMatch(/no access rule gives you the reveal right/i);
    expect(asDev.body.revealRefusal).not.toContain("ETCDLENS_REVEAL_SECRETS");
    const asOps = await callAs(getKey, ops, `/api/key?key=${q("/registry/secrets/dev/db")}`);
    expect(asOps.body.revealAllowed).toBe(true);
    expect(asOps.body).not.toHaveProperty("revealRefusal");
    expect(JSON.stringify(asOps.body.value)).not.toContain(Buffer.from("hunter2").toString("base64"));
  });
});

describe("/api/history and /api/diff under access rules", () => {
  it("answers a readable key's history and diff", async () => {
    const history = await callAs(getHistory, dev, `/api/history?key=${q("/registry/configmaps/dev/app")}`);
    expect(history.status).toBe(200);
    expect(history.body.items.length).toBe(2);
    const [newer, older] = history.body.items.map((item: { revision: number }) => item.revision);
    const diff = await callAs(getDiff, dev, `/api/diff?key=${q("/registry/configmaps/dev/app")}&from=${older}&to=${newer}`);
    expect(diff.status).toBe(200);
  });

  it("refuses a key outside the rules whether or not it exists, before reading it", async () => {
    for (const key of ["/registry/configmaps/prod/db", "/registry/configmaps/prod/nothing"]) {
      const history = await callAs(getHistory, dev, `/api/history?key=${q(key)}`);
      expect(history.status, key).toBe(403);
      expect(history.body.error.message).toContain("rights: [read]");
      const diff = await callAs(getDiff, dev, `/api/diff?key=${q(key)}&from=1&to=2`);
      expect(diff.status, key).toBe(403);
    }
    expect((await callAs(getHistory, viewer("lee"), `/api/history?key=${q("/registry/configmaps/dev/app")}`)).status).toBe(403);
    expect((await callAs(getDiff, dev, `/api/diff?key=${q("/registry/configmaps/dev/app")}&from=1&to=2&cluster=other`)).status).toBe(403);
  });
});

describe("/api/raw and /api/secret under access rules", () => {
  const path = encodeURIComponent(JSON.stringify(["data", "password"]));

  it("sends raw bytes with the read right and refuses them without", async () => {
    const raw = await callAs(getRaw, dev, `/api/raw?key=${q("/registry/configmaps/dev/app")}`);
    expect(raw.status).toBe(200);
    expect(raw.body.toString()).toBe("v2");
    for (const key of ["/registry/configmaps/prod/db", "/registry/configmaps/prod/nothing"]) {
      const refused = await callAs(getRaw, dev, `/api/raw?key=${q(key)}`);
      expect(refused.status, key).toBe(403);
      expect(refused.body.error.message).toContain("rights: [read]");
    }
  });

  it("reveals a Secret value only with the reveal right on its key", async () => {
    const asOps = await callAs(getSecret, ops, `/api/secret?key=${q("/registry/secrets/dev/db")}&path=${path}`);
    expect(asOps.status).toBe(200);
    expect(asOps.body.text).toBe("hunter2");
    const asDev = await callAs(getSecret, dev, `/api/secret?key=${q("/registry/secrets/dev/db")}&path=${path}`);
    expect(asDev.status).toBe(403);
    expect(asDev.body.error.message).toContain("rights: [reveal]");
    expect((await callAs(getSecret, ops, `/api/secret?key=${q("/registry/configmaps/dev/app")}&path=${path}`)).status).toBe(403);
  });

  it("writes every refusal to the audit trail with who, the cluster and the key", async () => {
    await callAs(getKey, dev, `/api/key?key=${q("/registry/configmaps/prod/audited")}`);
    await flushAuditTrail();
    const lines = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const denied = lines.find((line) => line.action === "denied" && line.key === "/registry/configmaps/prod/audited");
    expect(denied).toMatchObject({ user: "ana", groups: ["dev"], cluster: "main", outcome: "denied" });
    expect(denied.reason).toContain("rights: [read]");
    expect(lines.some((line) => line.action === "reveal" && line.user === "olu")).toBe(true);
  });
});
