import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getWatch } from "@/app/api/watch/route";
import { GET as getLeases } from "@/app/api/leases/route";
import { GET as getClusters } from "@/app/api/clusters/route";
import { GET as getClusterRoute } from "@/app/api/cluster/route";
import { GET as getTable } from "@/app/api/table/route";
import { concatBytes, encodeKeyParam } from "@/lib/keys";
import type { ChangeDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";
import { callAs, useAccessRules, viewer } from "./access-support";
import { SseStream } from "./watch-sse";

// The feeds and the cluster-wide routes under access rules: the change feed and the live watch
// show only changes to keys the viewer may list (summaries only where they may read), a lease only
// the attached keys they may list, the cluster list only clusters they have a rule for, the table
// only rows they may read.

let etcd: EtcdProcess;
let writer: Etcd3;
const q = (key: string | Uint8Array) => encodeKeyParam(typeof key === "string" ? Buffer.from(key) : key);
const dev = viewer("ana", "dev");
const lister = viewer("lee", "listers");
const stranger = viewer("sam");
const notUtf8 = concatBytes(Buffer.from("/registry/configmaps/dev/"), Uint8Array.of(0xfe, 0x20));
const configMap = (name: string, data: Record<string, string>) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "dev", uid: `u-${name}`, creationTimestamp: "2026-01-01T00:00:00Z" },
    data,
  });

let leaseId: string;

beforeAll(async () => {
  etcd = await startTestEtcd("access-feeds");
  useAccessRules(etcd, "access-feeds", [
    { groups: ["dev"], clusters: ["main"], prefixes: ["/registry/configmaps/dev/", "/registry/configmaps/my space/"], rights: ["read"] },
    { groups: ["listers"], clusters: ["main"], prefixes: ["/registry/configmaps/dev/"], rights: ["list"] },
    { groups: ["narrow"], clusters: ["main"], prefixes: ["/registry/configmaps/dev/a", "/registry/configmaps/dev/l"], rights: ["read"] },
  ]);
  writer = seedingClient(etcd);
  await writer
    .put("/registry/configmaps/dev/app")
    .value(configMap("app", { a: "1" }))
    .exec();
  await writer
    .put("/registry/configmaps/dev/app")
    .value(configMap("app", { a: "2" }))
    .exec();
  await writer
    .put("/registry/configmaps/prod/db")
    .value(configMap("db", { password: "x" }))
    .exec();
  await writer
    .put("/registry/configmaps/my space/k")
    .value(configMap("k", { b: "1" }))
    .exec();
  await writer
    .put(Buffer.from(notUtf8))
    .value(configMap("bytes", { c: "1" }))
    .exec();
  await writer
    .put("/registry/configmaps/prod/db")
    .value(configMap("db", { password: "y" }))
    .exec();
  const lease = writer.lease(600, { autoKeepAlive: false });
  leaseId = String(BigInt(await lease.grant()));
  await lease.put("/registry/configmaps/dev/leased").value(configMap("leased", {})).exec();
  await writer.put("/registry/configmaps/dev/b-hidden").value(configMap("b-hidden", {})).exec();
  await lease.put("/registry/configmaps/prod/leased").value("x").exec();
  const hiddenLease = writer.lease(600, { autoKeepAlive: false });
  await hiddenLease.grant();
  await hiddenLease.put("/registry/configmaps/prod/only").value("x").exec();
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("/api/changes under access rules", () => {
  it("shows only changes to keys the viewer may list, bytes that are not UTF-8 and spaces included", async () => {
    const { status, body } = await callAs(getChanges, dev, `/api/changes?prefix=${q("/registry/configmaps/")}`);
    expect(status).toBe(200);
    const keys = body.items.map((item: ChangeDto) => item.key);
    expect(keys).toContain("/registry/configmaps/dev/app");
    expect(keys).toContain("/registry/configmaps/my space/k");
    expect(keys).toContain("/registry/configmaps/dev/\\xfe ");
    expect(keys.some((key: string) => key.includes("prod"))).toBe(false);
    // An update's summary says what changed where the viewer may read.
    const update = body.items.find((item: ChangeDto) => item.key === "/registry/configmaps/dev/app" && item.version === 2);
    expect(update.summary).toContain("data.a");
  });

  it("pages only visible changes: a page of one is one visible change", async () => {
    const first = await callAs(getChanges, dev, `/api/changes?prefix=${q("/registry/configmaps/")}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].key).not.toContain("prod");
  });

  it("says only what happened, not what changed, to a viewer who may list but not read", async () => {
    const { body } = await callAs(getChanges, lister, `/api/changes?prefix=${q("/registry/configmaps/")}`);
    const update = body.items.find((item: ChangeDto) => item.key === "/registry/configmaps/dev/app" && item.version === 2);
    expect(update.summary).toBe("updated");
    expect(body.items.every((item: ChangeDto) => item.key.startsWith("/registry/configmaps/dev/"))).toBe(true);
  });

  it("refuses a prefix with nothing visible, and a cluster without a rule", async () => {
    const { status, body } = await callAs(getChanges, dev, `/api/changes?prefix=${q("/registry/configmaps/prod/")}`);
    expect(status).toBe(403);
    expect(body.error.message).toContain("rights: [list]");
    expect((await callAs(getChanges, dev, `/api/changes?prefix=&cluster=other`)).status).toBe(403);
    expect((await callAs(getChanges, stranger, `/api/changes?prefix=`)).status).toBe(403);
  });
});

describe("/api/watch under access rules", () => {
  it("refuses a prefix with nothing visible before the stream opens", async () => {
    const { status, response } = await callAs(getWatch, dev, `/api/watch?prefix=${q("/registry/configmaps/prod/")}`);
    expect(status).toBe(403);
    expect(response.headers.get("content-type")).toContain("json");
  });

  it("sends each subscriber only the changes to keys it may list", async () => {
    const { status, response } = await callAs(getWatch, dev, `/api/watch?prefix=${q("/registry/configmaps/")}`);
    expect(status).toBe(200);
    const stream = new SseStream(response);
    try {
      await stream.nextOf(["ready"]);
      await writer.put("/registry/configmaps/prod/db").value("hidden").exec();
      await writer
        .put("/registry/configmaps/dev/app")
        .value(configMap("app", { a: "3" }))
        .exec();
      const [event] = await stream.changes(1);
      expect(JSON.parse(event.data).key).toBe("/registry/configmaps/dev/app");
    } finally {
      await stream.close();
    }
  });
});

describe("/api/leases under access rules", () => {
  it("shows a lease's attached keys the viewer may list, says others are attached without counting them", async () => {
    const { status, body } = await callAs(getLeases, dev, `/api/leases?id=${leaseId}`);
    expect(status).toBe(200);
    expect(body.keys.map((key: { key: string }) => key.key)).toEqual(["/registry/configmaps/dev/leased"]);
    expect(body.totalKeys).toBe(1);
    expect(body.someHidden).toBe(true);
    // The leases list (IDs and TTLs, no keys) is the cluster's.
    const list = await callAs(getLeases, dev, `/api/leases`);
    expect(list.body.items.length).toBe(2);
    expect((await callAs(getLeases, dev, `/api/leases?cluster=other`)).status).toBe(403);
  });
});

describe("/api/clusters and /api/cluster under access rules", () => {
  it("lists only the clusters the viewer has a rule for and refuses the others", async () => {
    expect((await callAs(getClusters, dev, "/api/clusters")).body.clusters).toEqual([{ name: "main" }]);
    expect((await callAs(getClusters, stranger, "/api/clusters")).body.clusters).toEqual([]);
    expect((await callAs(getClusterRoute, dev, "/api/cluster?view=header")).status).toBe(200);
    expect((await callAs(getClusterRoute, dev, "/api/cluster?view=header&cluster=other")).status).toBe(403);
    expect((await callAs(getClusterRoute, stranger, "/api/cluster?view=header")).status).toBe(403);
  });
});

describe("/api/table under access rules", () => {
  it("shows only the rows of keys the viewer may read, and refuses a folder with nothing readable", async () => {
    const mine = await callAs(getTable, dev, `/api/table?prefix=${q("/registry/configmaps/dev/")}`);
    expect(mine.status).toBe(200);
    const names = (body: { rows: { name: string }[] }) => body.rows.map((row) => row.name);
    expect(names(mine.body)).toEqual(["app", "b-hidden", "leased", "bytes"]);
    // Two granted runs with a key the viewer may not read between them: that key is neither shown
    // nor read in place of the next visible one.
    const narrow = await callAs(getTable, viewer("nia", "narrow"), `/api/table?prefix=${q("/registry/configmaps/dev/")}`);
    expect(narrow.status).toBe(200);
    expect(names(narrow.body)).toEqual(["app", "leased"]);
    const level = await callAs(getTable, dev, `/api/table?prefix=${q("/registry/configmaps/")}`);
    expect(level.status).toBe(200);
    expect(JSON.stringify(level.body)).not.toContain("prod");
    expect((await callAs(getTable, dev, `/api/table?prefix=${q("/registry/configmaps/prod/")}`)).status).toBe(403);
    // Listing is not reading.
    expect((await callAs(getTable, lister, `/api/table?prefix=${q("/registry/configmaps/dev/")}`)).status).toBe(403);
  });
});
