import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as getComplete } from "@/app/api/complete/route";
import type { ChildDto } from "@/lib/api/dto";
import { concatBytes, encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { getCluster } from "@/lib/etcd/client";
import { seedingClient, sizingFinished, startTestEtcd } from "./support";
import { callAs, useAccessRules, viewer } from "./access-support";
import type { Viewer } from "@/lib/auth/viewer";

// The tree (/api/keys) and the jump box (/api/complete) under access rules: a level the rules
// show in part lists only the children they lead to, pages and filters like any level, reads
// only the windows the rules cover, and its counts never count a key the viewer may not see.

let etcd: EtcdProcess;
let writer: Etcd3;
const q = (key: string | Uint8Array) => encodeKeyParam(typeof key === "string" ? Buffer.from(key) : key);
const dev = viewer("ana", "dev");
const admin = viewer("root", "admin");
const notUtf8 = concatBytes(Buffer.from("/registry/configmaps/dev/"), Uint8Array.of(0xff, 0xfe));

const SEED = [
  "/registry/configmaps/dev",
  "/registry/configmaps/dev/a",
  "/registry/configmaps/dev/b",
  "/registry/configmaps/dev/c",
  "/registry/configmaps/dev/sub/x",
  "/registry/configmaps/prod/db",
  "/registry/configmaps/prod/x",
  "/registry/configmaps/café/menu",
  "/registry/secrets/dev/s1",
  "/registry/pods/dev/web",
  "/registry/clusterroles/system:aggregate-to-admin",
  "/registry/clusterroles/system:aggregate-to-edit",
  "/registry/clusterroles/system:auth-delegator",
  "/registry/namespaces/my space/x",
  "/registry/namespaces/other/x",
  "/registry/leases/ns-1/a",
  "/registry/leases/ns-1-canary/b",
  "/registry/leases/ns-1-canary-x",
  "/registry/leases/ns-1.x",
  "/registry/leases/ns-10/c",
  "top-level-key",
];

/** etcd's count of unary reads it answered (Range and Txn), from its Prometheus /metrics (as level-reads.test.ts). */
async function readRequests(): Promise<number> {
  const text = await (await fetch(`${etcd.endpoint}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^grpc_server_handled_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (match && /grpc_method="(Range|Txn)"/.test(match[1])) total += Number(match[2]);
  }
  return total;
}

/** One page, asked again while the folder index is first built. */
async function page(who: Viewer, path: string) {
  for (let attempt = 0; ; attempt++) {
    const answer = await callAs(getKeys, who, path);
    if (!answer.body?.indexing || attempt > 50) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every page of a level, following the cursor. */
async function listAll(who: Viewer, prefix: string, extra = "") {
  const items: ChildDto[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await page(who, `/api/keys?prefix=${q(prefix)}${extra}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(status, JSON.stringify(body)).toBe(200);
    items.push(...body.items);
    cursor = body.nextCursor;
    pages += 1;
  } while (cursor && pages < 1000);
  return { items, names: items.map((item) => item.name), pages };
}

let pastRevision: number;

beforeAll(async () => {
  etcd = await startTestEtcd("access-tree");
  useAccessRules(etcd, "access-tree", [
    {
      groups: ["dev"],
      clusters: ["main"],
      prefixes: [
        "/registry/configmaps/dev/",
        "/registry/configmaps/café/",
        "/registry/clusterroles/system:aggregate-",
        "/registry/namespaces/my space/",
        "/registry/leases/ns-1/",
        "/registry/leases/ns-1-canary",
        "/registry/wide/k01234/",
      ],
      rights: ["list"],
    },
    { groups: ["admin"], clusters: ["main"], prefixes: [""], rights: ["list"] },
  ]);
  writer = seedingClient(etcd);
  for (const key of SEED) await writer.put(key).value("v").exec();
  await writer.put(Buffer.from(notUtf8)).value("v").exec();
  // A wide level of which the viewer may see one folder.
  const puts: Promise<unknown>[] = [];
  for (let i = 0; i < 3000; i++)
    puts.push(
      writer
        .put(`/registry/wide/k${String(i).padStart(5, "0")}/x`)
        .value("v")
        .exec(),
    );
  await Promise.all(puts);
  pastRevision = Number((await writer.get("top-level-key").exec()).header.revision);
  await writer.put("/registry/configmaps/prod/later").value("v").exec();
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("a level the rules show in part", () => {
  it("lists only the folders leading to granted prefixes, counting only what the viewer may see", async () => {
    const { items } = await listAll(dev, "/registry/");
    expect(items.map((item) => item.name)).toEqual(["clusterroles", "configmaps", "leases", "namespaces", "wide"]);
    for (const item of items) expect(item).toMatchObject({ isKey: false, hasChildren: true, partial: true });
    const configmaps = items.find((item) => item.name === "configmaps")!;
    // dev/ holds 5 keys the viewer may list, café/ 1; prod/ (3 keys) and the key "dev" itself are not counted.
    expect(configmaps.keyCount).toBe(6);
    const everything = await listAll(admin, "/registry/");
    expect(everything.items.find((item) => item.name === "configmaps")!.keyCount).toBe(10);
    expect(everything.items.find((item) => item.name === "configmaps")!.partial).toBeUndefined();
  });

  it("shows a folder the viewer sees whole with its exact count, and a key they may not see not at all", async () => {
    const { items } = await listAll(dev, "/registry/configmaps/");
    // "dev" is also a key, outside "/registry/configmaps/dev/": it is listed as the folder only.
    expect(items).toEqual([
      expect.objectContaining({ name: "café", isKey: false, hasChildren: true, keyCount: 1 }),
      expect.objectContaining({ name: "dev", isKey: false, hasChildren: true, keyCount: 5 }),
    ]);
    expect(items.every((item) => item.partial === undefined)).toBe(true);
  });

  it("lists the children a prefix that is not a folder covers, ':' included, and pages them one by one", async () => {
    const all = await listAll(dev, "/registry/clusterroles/");
    expect(all.names).toEqual(["system:aggregate-to-admin", "system:aggregate-to-edit"]);
    const paged = await listAll(dev, "/registry/clusterroles/", "&limit=1");
    expect(paged.names).toEqual(all.names);
    expect(paged.pages).toBeGreaterThanOrEqual(2);
  });

  it("keeps the level's key order where a folder window and a covered run interleave, on every page size", async () => {
    const everything = await listAll(admin, "/registry/leases/");
    const expected = everything.names.filter((name) => ["ns-1", "ns-1-canary", "ns-1-canary-x"].includes(name));
    expect(expected.length).toBe(3);
    for (const limit of [1, 2, 50]) {
      const { names } = await listAll(dev, "/registry/leases/", `&limit=${limit}`);
      expect(names, `limit ${limit}`).toEqual(expected);
    }
    const filtered = await listAll(dev, "/registry/leases/", `&contains=${q("canary")}&limit=1`);
    expect(filtered.names).toEqual(expected.filter((name) => name.includes("canary")));
  });

  it("at a past revision (a scan, not the index) lists the same children, without counts", async () => {
    const { items } = await listAll(dev, "/registry/configmaps/", `&rev=${pastRevision}`);
    expect(items.map((item) => item.name)).toEqual(["café", "dev"]);
    expect(items.every((item) => item.keyCount === undefined)).toBe(true);
    const root = await listAll(dev, "", `&rev=${pastRevision}`);
    expect(root.items).toEqual([expect.objectContaining({ name: "", key: "", isKey: false, partial: true })]);
  });

  it("lists a granted folder whole, bytes that are not UTF-8 included", async () => {
    const { items } = await listAll(dev, "/registry/configmaps/dev/");
    expect(items.map((item) => item.name)).toEqual(["a", "b", "c", "sub", "\\xff\\xfe"]);
    expect(Buffer.from(items[4].keyBase64, "base64")).toEqual(Buffer.from(notUtf8));
    const spaced = await listAll(dev, "/registry/namespaces/");
    expect(spaced.names).toEqual(["my space"]);
  });

  it("counts at the root only what the viewer may see, and never lists a key outside the rules", async () => {
    const mine = await listAll(dev, "");
    expect(mine.names).toEqual([""]);
    const all = await listAll(admin, "");
    expect(all.names).toContain("top-level-key");
    const visible = mine.items[0].keyCount!;
    expect(visible).toBeLessThan(all.items.find((item) => item.name === "")!.keyCount!);
    // At least the whole granted folders: dev/ 5, café/ 1, my space/ 1, ns-1/ 1, wide/k01234/ 1.
    expect(visible).toBe(9);
  });

  it("refuses a level with nothing visible, and the folder form of it, with the rule that would allow it", async () => {
    for (const prefix of ["/registry/configmaps/prod/", "/registry/configmaps/prod", "/registry/secrets/", "/registry/pods/dev/"]) {
      const { status, body } = await callAs(getKeys, dev, `/api/keys?prefix=${q(prefix)}`);
      expect(status, prefix).toBe(403);
      expect(body.error.message).toContain("rights: [list]");
    }
    expect((await callAs(getKeys, dev, `/api/keys?prefix=${q("/registry/")}&cluster=other`)).status).toBe(403);
    expect((await callAs(getKeys, viewer("nobody"), `/api/keys?prefix=`)).status).toBe(403);
  });

  it("reads a few narrow ranges for one visible folder of a 3,000-child level, at the current revision and at a past one", async () => {
    await listAll(dev, "/registry/wide/");
    // The folder index sizes every value once after it is built: those reads are not the level's.
    await sizingFinished(getCluster());
    const now = await readRequests();
    const current = await listAll(dev, "/registry/wide/");
    const atCurrent = (await readRequests()) - now;
    expect(current.names).toEqual(["k01234"]);
    const before = await readRequests();
    const past = await listAll(dev, "/registry/wide/", `&rev=${pastRevision}`);
    const atPast = (await readRequests()) - before;
    expect(past.names).toEqual(["k01234"]);
    // The whole level at a past revision takes a scan of 3,000 children (more than 15 reads at 200 a page).
    const all = await readRequests();
    await listAll(admin, "/registry/wide/", `&rev=${pastRevision}`);
    const whole = (await readRequests()) - all;
    expect(atCurrent).toBeLessThanOrEqual(3);
    expect(atPast).toBeLessThanOrEqual(3);
    expect(whole).toBeGreaterThan(15);
  });
});

describe("/api/complete under access rules", () => {
  it("suggests only what the viewer may list", async () => {
    const names = async (typed: string) =>
      (await callAs(getComplete, dev, `/api/complete?q=${q(typed)}`)).body.items.map((item: ChildDto) => item.key);
    expect(await names("/registry/configmaps/")).toEqual(["/registry/configmaps/café", "/registry/configmaps/dev"]);
    expect(await names("/registry/configmaps/p")).toEqual([]);
    expect(await names("/registry/clusterroles/system:a")).toEqual([
      "/registry/clusterroles/system:aggregate-to-admin",
      "/registry/clusterroles/system:aggregate-to-edit",
    ]);
    expect(await names("/registry/secrets/")).toEqual([]);
    expect((await callAs(getComplete, dev, `/api/complete?q=${q("/registry/")}&cluster=other`)).status).toBe(403);
  });
});
