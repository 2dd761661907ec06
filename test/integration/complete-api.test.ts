import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as complete } from "@/app/api/complete/route";
import type { ChildDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The jump box's completion: what continues the typed text, from the level the text ends in.

let etcd: EtcdProcess;
const q = (text: string) => encodeKeyParam(Buffer.from(text));
const names = (items: ChildDto[]) => items.map((item) => `${item.key}${item.hasChildren && !item.isKey ? "/" : ""}`);

beforeAll(async () => {
  etcd = await startTestEtcd("complete-api");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  const writer = seedingClient(etcd);
  for (const key of [
    "/registry/pods/default/a",
    "/registry/podsecuritypolicy/x",
    "/registry/priorityclasses/high",
    "/registry/persistentvolumes/pv-1",
    "/registry/pods-note",
    "/other/thing",
  ]) {
    await writer.put(key).value("v").exec();
  }
  writer.close();
});

afterAll(async () => {
  await etcd?.stop();
});

describe("GET /api/complete", () => {
  it("offers the keys and folders that continue the text, in key order", async () => {
    const { status, body } = await callRoute(complete, `/api/complete?q=${q("/registry/po")}`);
    expect(status).toBe(200);
    expect(names(body.items), JSON.stringify(body.items)).toEqual([
      "/registry/pods-note",
      "/registry/pods/",
      "/registry/podsecuritypolicy/",
    ]);
  });

  it("lists a whole level when the text ends in a slash, and nothing for text nothing continues", async () => {
    expect(names((await callRoute(complete, `/api/complete?q=${q("/registry/pods/")}`)).body.items)).toEqual(["/registry/pods/default/"]);
    expect((await callRoute(complete, `/api/complete?q=${q("/registry/zzz")}`)).body.items).toEqual([]);
    expect(names((await callRoute(complete, `/api/complete?q=${q("/o")}`)).body.items)).toEqual(["/other/"]);
  });
});
