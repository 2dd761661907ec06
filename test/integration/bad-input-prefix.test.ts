import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getKeys } from "@/app/api/keys/route";
import { encodeKeyParam } from "@/lib/keys";
import type { ChildDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// A level asked for without its trailing slash (?prefix=/registry/pods), against a real etcd:
// listed as the folder the user meant, and the answer says which prefix it listed.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const names = (body: { items: ChildDto[] }) => body.items.map((item) => item.name);

beforeAll(async () => {
  etcd = await startTestEtcd("bad-input-prefix");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  await writer.put("/registry/pods/default/web-1").value("{}");
  await writer.put("/registry/pods/default/web-2").value("{}");
  await writer.put("/registry/pods/kube-system/dns").value("{}");
  await writer.put("/registry/podtemplates/default/t").value("{}");
  // A key that is also a folder: the user may mean either.
  await writer.put("/both").value("a key");
  await writer.put("/both/child").value("below it");
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/keys with a prefix that lacks its trailing slash", () => {
  it.each([undefined, "rev"])("lists the folder the user meant when no key has that name (%s)", async (withRev) => {
    const rev = withRev ? `&rev=${(await callRoute(getKeys, `/api/keys?prefix=${q("/")}`)).body.revision}` : "";
    const folder = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/pods/")}${rev}`);
    const { status, body } = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/pods")}${rev}`);
    expect(status).toBe(200);
    expect(names(body)).toEqual(["default", "kube-system"]);
    expect(body.items).toEqual(folder.body.items);
    expect(body.listed).toEqual({
      prefix: "/registry/pods/",
      prefixBase64: Buffer.from("/registry/pods/").toString("base64"),
      message: `listed the folder /registry/pods/: a level's prefix ends with "/"`,
    });
  });

  it("pages the folder it listed, with the same prefix as asked", async () => {
    const first = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/pods")}&limit=1`);
    expect(names(first.body)).toEqual(["default"]);
    const second = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/pods")}&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(names(second.body)).toEqual(["kube-system"]);
  });

  it("lists the folder when a key has that name too, and says so", async () => {
    const { status, body } = await callRoute(getKeys, `/api/keys?prefix=${q("/both")}`);
    expect(status).toBe(200);
    expect(names(body)).toEqual(["child"]);
    expect(body.listed.message).toBe(`listed the folder /both/: a level's prefix ends with "/" (the key /both itself exists too)`);
  });

  it("says nothing more when the prefix already ends with a slash, or no folder has that name", async () => {
    const folder = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/pods/")}`);
    expect(folder.body.listed).toBeUndefined();
    const partial = await callRoute(getKeys, `/api/keys?prefix=${q("/registry/po")}`);
    expect(partial.status).toBe(200);
    expect(partial.body.listed).toBeUndefined();
  });
});
