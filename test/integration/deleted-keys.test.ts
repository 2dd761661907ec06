import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getDeleted } from "@/app/api/deleted/route";
import type { DeletedDto, DeletedItemDto } from "@/lib/api/dto";
import { getArchiveStore, recorderState, startArchiveRecorders, stopArchiveRecorders } from "@/lib/archive/service";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callAs, useAccessRules, viewer } from "./access-support";
import { seedingClient, startTestEtcd } from "./support";

// GET /api/deleted against a real etcd and the dashboard's recorder on a real SQLite file: a
// namespace's objects deleted between A and B come back with their last values (the Secret's
// masked), a deletion etcd compacted comes from the archive, a re-created key counts and says it
// exists again, from= takes a time, pages follow the cursor, and access rules narrow the list.

const CLUSTER = "main";
const ops = viewer("olga", "ops");
const dev = viewer("dan", "dev");
const stranger = viewer("sam");
const SECRET_TEXT = "hunter2-never-shown";
let etcd: EtcdProcess;
let writer: Etcd3;
let dataDir: string;
const at = { oldDeleted: 0, a: 0, b: 0, timeA: "" };
const deletedAt: Record<string, number> = {};

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value: string) => Number((await writer.put(key).value(value)).header.revision);
const del = async (key: string) => {
  const revision = Number((await writer.delete().key(key)).header.revision);
  deletedAt[key] = revision;
  return revision;
};
const object = (kind: string, name: string, namespace: string, extra: object) =>
  JSON.stringify({ apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, metadata: { name, namespace, uid: `u-${name}` }, ...extra });

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitRecorded(): Promise<number> {
  const through = await put("/filler", String(Date.now()));
  await waitFor(`the archive holds ${through}`, async () => (await (await getArchiveStore())!.coverage(CLUSTER)).lastRevision >= through);
  return through;
}

async function deleted(who: typeof ops, query: string): Promise<DeletedDto> {
  const { status, body } = await callAs(getDeleted, who, `/api/deleted?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "etcdlens-deleted-"));
  process.env.ETCDLENS_DATA_DIR = dataDir;
  etcd = await startTestEtcd("deleted-keys");
  useAccessRules(etcd, "deleted-keys", [
    { groups: ["ops"], clusters: "*", prefixes: [""], rights: ["read"] },
    { groups: ["dev"], clusters: ["main"], prefixes: ["/registry/configmaps/shop/"], rights: ["read"] },
  ]);
  writer = seedingClient(etcd);
  startArchiveRecorders(() => undefined);
  await waitFor("the recorder records", () => recorderState(CLUSTER)?.state === "recording");

  // A deletion etcd compacts away: only the archive still knows it and its value.
  await put("/registry/configmaps/shop/old", object("ConfigMap", "old", "shop", { data: { v: "old-value" } }));
  at.oldDeleted = await del("/registry/configmaps/shop/old");
  const compactAt = await waitRecorded();
  await writer.kv.compact({ revision: String(compactAt), physical: true });
  at.timeA = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 30));

  // Namespace "shop" deleted between A and B; "again" is deleted and re-created.
  at.a = await put("/registry/deployments/shop/web", object("Deployment", "web", "shop", { spec: { replicas: 3 } }));
  await put("/registry/configmaps/shop/settings", object("ConfigMap", "settings", "shop", { data: { color: "blue" } }));
  await put(
    "/registry/secrets/shop/token",
    object("Secret", "token", "shop", { data: { password: Buffer.from(SECRET_TEXT).toString("base64") } }),
  );
  await put("/registry/configmaps/shop/again", object("ConfigMap", "again", "shop", { data: { v: "first" } }));
  for (const key of ["/registry/deployments/shop/web", "/registry/configmaps/shop/settings", "/registry/secrets/shop/token"])
    await del(key);
  await del("/registry/configmaps/shop/again");
  await put("/registry/configmaps/shop/again", object("ConfigMap", "again", "shop", { data: { v: "second" } }));
  at.b = await put("/registry/configmaps/other/marker", "{}");
  await put("/registry/configmaps/shop/later", "{}");
  await del("/registry/configmaps/shop/later");
  await waitRecorded();
}, 60_000);

afterAll(async () => {
  await stopArchiveRecorders();
  await (await getArchiveStore())?.close();
  writer?.close();
  await etcd?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("GET /api/deleted", () => {
  it("lists a namespace's objects deleted between A and B with their last values, the Secret masked, a re-created key marked", async () => {
    const body = await deleted(ops, `prefix=${q("/registry/")}&from=${at.a}&to=${at.b}`);
    expect(body.items.map((item) => [item.key, item.deletedAt, item.kind, item.namespace, item.name, item.existsNow])).toEqual([
      ["/registry/configmaps/shop/again", deletedAt["/registry/configmaps/shop/again"], "ConfigMap", "shop", "again", true],
      ["/registry/secrets/shop/token", deletedAt["/registry/secrets/shop/token"], "Secret", "shop", "token", false],
      ["/registry/configmaps/shop/settings", deletedAt["/registry/configmaps/shop/settings"], "ConfigMap", "shop", "settings", false],
      ["/registry/deployments/shop/web", deletedAt["/registry/deployments/shop/web"], "Deployment", "shop", "web", false],
    ]);
    const byName = new Map(body.items.map((item) => [item.name, item]));
    const valueOf = (item: DeletedItemDto | undefined) => (item?.value?.format === "kubernetes" ? item.value.object : undefined);
    expect(valueOf(byName.get("again"))?.data).toEqual({ v: "first" });
    expect(valueOf(byName.get("web"))?.spec).toEqual({ replicas: 3 });
    expect(byName.get("settings")?.lastFrom).toBe("etcd");
    expect(byName.get("settings")?.lastRevision).toBe(at.a + 1);
    expect(byName.get("again")?.summary).toContain("re-created");
    const text = JSON.stringify(body);
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).not.toContain(Buffer.from(SECRET_TEXT).toString("base64"));
    expect(byName.get("token")?.value?.format === "kubernetes" && byName.get("token")?.value).toMatchObject({
      masked: [{ path: ["data", "password"] }],
    });
  });

  it("finds a deletion etcd compacted in the archive, with its value", async () => {
    const body = await deleted(ops, `prefix=${q("/registry/configmaps/shop/")}`);
    const old = body.items.find((item) => item.key === "/registry/configmaps/shop/old");
    expect(old, JSON.stringify(body.items.map((item) => item.key))).toBeDefined();
    expect(old).toMatchObject({ deletedAt: at.oldDeleted, lastFrom: "archive", existsNow: false });
    expect(old?.value?.format === "kubernetes" && old.value.object.data).toEqual({ v: "old-value" });
    expect(body.readFrom.source).toBe("etcd+archive");
  });

  it("takes from= as a time and pages with the cursor", async () => {
    const whole = await deleted(ops, `prefix=${q("/registry/")}&from=${encodeURIComponent(at.timeA)}&to=${at.b}`);
    expect(whole.items.map((item) => item.name)).toEqual(["again", "token", "settings", "web"]);
    const paged: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const body = await deleted(ops, `prefix=${q("/registry/")}&from=${encodeURIComponent(at.timeA)}&to=${at.b}&limit=1${cursor}`);
      paged.push(...body.items.map((item) => item.name ?? ""));
      if (body.next === null) break;
      cursor = `&cursor=${body.next}`;
    }
    expect(paged).toEqual(["again", "token", "settings", "web"]);
  });

  it("shows only keys the viewer may list, and refuses one with no rule under the prefix", async () => {
    const body = await deleted(dev, `prefix=${q("/registry/")}&from=${at.a}&to=${at.b}`);
    expect(body.items.map((item) => item.name)).toEqual(["again", "settings"]);
    const refused = await callAs(getDeleted, stranger, `/api/deleted?prefix=${q("/registry/")}`);
    expect(refused.status).toBe(403);
    const bad = await callAs(getDeleted, ops, `/api/deleted?prefix=${q("/registry/")}&from=${at.b}&to=${at.a}`);
    expect(bad.status).toBe(400);
  });
});
