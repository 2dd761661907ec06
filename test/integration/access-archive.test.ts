import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { GET as getSecret } from "@/app/api/secret/route";
import { encodeKubernetesObject } from "@/lib/decode";
import { archiveCoverage, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callAs, useAccessRules, viewer } from "./access-support";
import { seedingClient, startTestEtcd } from "./support";

// Access rules hold for what only the archive still has: after etcd compacted the revisions, the
// tree at ?rev=, a key's value there and its history come from the archive (SQLite in a temp
// folder, test/support/isolate-archive.ts), and a viewer sees of them exactly what the rules give
// at the current revision: a folder seen in part, a hidden key refused as a 403 naming the rule.

let etcd: EtcdProcess;
let writer: Etcd3;
const dev = viewer("ana", "dev");
const ops = viewer("olu", "ops");
const SECRET_KEY = "/registry/secrets/aa/db";
const secret = (password: string) =>
  Buffer.from(
    encodeKubernetesObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "aa", uid: "u-db", creationTimestamp: "2026-01-01T00:00:00Z" },
      type: "Opaque",
      data: { password: Buffer.from(password).toString("base64") },
    }),
  );
const b64 = (text: string) => Buffer.from(text).toString("base64");
const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value: string) => Number((await writer.put(key).value(value).exec()).header.revision);
let at = 0;

async function waitForArchive(cluster: string, revision: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const coverage = await archiveCoverage(cluster);
    if (coverage && coverage.baselines.length > 0 && coverage.lastRevision >= revision) return;
    if (Date.now() > deadline) throw new Error(`the archive of ${cluster} did not reach revision ${revision}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  etcd = await startTestEtcd("access-archive");
  process.env.ETCDLENS_RECORDER_LOCK_TTL_MS = "3000";
  useAccessRules(etcd, "access-archive", [
    {
      groups: ["dev"],
      clusters: ["main"],
      prefixes: ["/aa/visible/", "/aa/mixed/ok: é", "/registry/secrets/aa/"],
      rights: ["list", "read"],
    },
    { groups: ["ops"], clusters: ["main"], prefixes: ["/registry/secrets/aa/"], rights: ["read", "reveal"] },
  ]);
  writer = seedingClient(etcd);
  await put("/aa/visible/a", "visible one");
  await put("/aa/mixed/ok: é", "a key the rules name exactly");
  await put("/aa/mixed/hidden", "not for dev");
  await put("/aa/hidden/x", "hidden then");
  await writer.put(SECRET_KEY).value(secret("old-password")).exec();
  startArchiveRecorders(() => undefined);
  await waitForArchive("main", 0);
  at = await put("/aa/visible/a", "visible two");
  await put("/aa/hidden/x", "hidden now");
  await writer.put(SECRET_KEY).value(secret("new-password")).exec();
  const last = await put("/aa/visible/a", "visible three");
  await waitForArchive("main", last);
  await writer.kv.compact({ revision: String(last), physical: true });
});

afterAll(async () => {
  await stopArchiveRecorders();
  writer?.close();
  await etcd?.stop();
});

describe("access rules over the archive", () => {
  it("lists a compacted level from the archive with only what the rules lead to", async () => {
    const root = await callAs(getKeys, dev, `/api/keys?prefix=${q("/aa/")}&rev=${at}`);
    expect(root.status, JSON.stringify(root.body)).toBe(200);
    expect(root.body.readFrom).toMatchObject({ source: "archive" });
    expect(root.body.items.map((item: { name: string; partial?: boolean }) => [item.name, item.partial ?? false])).toEqual([
      ["mixed", true],
      ["visible", false],
    ]);
    const mixed = await callAs(getKeys, dev, `/api/keys?prefix=${q("/aa/mixed/")}&rev=${at}`);
    expect(mixed.status).toBe(200);
    expect(mixed.body.items.map((item: { name: string }) => item.name)).toEqual(["ok: é"]);
    const hidden = await callAs(getKeys, dev, `/api/keys?prefix=${q("/aa/hidden/")}&rev=${at}`);
    expect(hidden.status).toBe(403);
    expect(JSON.stringify(hidden.body)).not.toContain("hidden then");
  });

  it("reads an archived value the rules allow, and refuses a hidden one as it would at the current revision", async () => {
    const visible = await callAs(getKey, dev, `/api/key?key=${q("/aa/visible/a")}&rev=${at}`);
    expect(visible.status, JSON.stringify(visible.body)).toBe(200);
    expect(visible.body.readFrom).toMatchObject({ source: "archive" });
    expect(JSON.stringify(visible.body.value)).toContain("visible two");
    for (const key of ["/aa/hidden/x", "/aa/mixed/hidden"]) {
      const refused = await callAs(getKey, dev, `/api/key?key=${q(key)}&rev=${at}`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/no access rule|rule/i);
      expect(JSON.stringify(refused.body)).not.toMatch(/hidden (then|now)|not for dev/);
    }
  });

  it("gives the history of a visible key with the versions only the archive holds, and none of a hidden one", async () => {
    const history = await callAs(getHistory, dev, `/api/history?key=${q("/aa/visible/a")}`);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.items.length).toBeGreaterThanOrEqual(3);
    const hidden = await callAs(getHistory, dev, `/api/history?key=${q("/aa/hidden/x")}`);
    expect(hidden.status).toBe(403);
    expect(JSON.stringify(hidden.body)).not.toMatch(/hidden (then|now)/);
  });

  it("keeps an archived Secret masked, reveals its value at that revision only with the reveal right, and never sends its raw bytes without it", async () => {
    const masked = await callAs(getKey, dev, `/api/key?key=${q(SECRET_KEY)}&rev=${at}`);
    expect(masked.status, JSON.stringify(masked.body)).toBe(200);
    expect(masked.body.readFrom).toMatchObject({ source: "archive" });
    expect(masked.body.revealAllowed).toBe(false);
    expect(JSON.stringify(masked.body)).not.toMatch(new RegExp(`old-password|${b64("old-password")}|new-password|${b64("new-password")}`));
    const history = await callAs(getHistory, dev, `/api/history?key=${q(SECRET_KEY)}`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).not.toMatch(/old-password|new-password/);
    expect(JSON.stringify(history.body)).not.toContain(b64("old-password"));

    const path = encodeURIComponent(JSON.stringify(["data", "password"]));
    const refused = await callAs(getSecret, dev, `/api/secret?key=${q(SECRET_KEY)}&rev=${at}&path=${path}`);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain(b64("old-password"));
    const raw = await callAs(getRaw, dev, `/api/raw?key=${q(SECRET_KEY)}&rev=${at}`);
    expect(raw.status).toBe(403);
    expect(Buffer.isBuffer(raw.body) ? raw.body.toString("latin1") : JSON.stringify(raw.body)).not.toContain("old-password");

    const revealed = await callAs(getSecret, ops, `/api/secret?key=${q(SECRET_KEY)}&rev=${at}&path=${path}`);
    expect(revealed.status, JSON.stringify(revealed.body)).toBe(200);
    expect(revealed.body).toMatchObject({ path: ["data", "password"], value: b64("old-password"), text: "old-password" });
  });
});
