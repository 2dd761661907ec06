import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import { GET as watchRoute } from "@/app/api/watch/route";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// A revision etcd has not reached, and one too large for a JavaScript number, through every route
// that takes a revision, against a real etcd: the same error code and message shape everywhere.

let etcd: EtcdProcess;
let writer: Etcd3;
let current: number;

const key = encodeKeyParam(Buffer.from("/bad-rev/a"));
const prefix = encodeKeyParam(Buffer.from("/bad-rev/"));
const FUTURE = 999_999_999;

type Route = (request: Request) => Promise<Response>;

async function callWatch(path: string, lastEventId?: string) {
  const controller = new AbortController();
  const headers = lastEventId === undefined ? undefined : { "last-event-id": lastEventId };
  const response = await watchRoute(new Request(`http://127.0.0.1${path}`, { headers, signal: controller.signal }));
  const type = response.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await response.json() : undefined;
  controller.abort();
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status, body, type };
}

// Every place a revision is accepted, with `R` where the revision goes.
const uses: { name: string; route: Route; path: string; parameter: string }[] = [
  { name: "/api/key?rev", route: getKey, path: `/api/key?key=${key}&rev=R`, parameter: "rev" },
  { name: "/api/keys?rev", route: getKeys, path: `/api/keys?prefix=${prefix}&rev=R`, parameter: "rev" },
  { name: "/api/history?before", route: getHistory, path: `/api/history?key=${key}&before=R`, parameter: "before" },
  { name: "/api/diff?from", route: getDiff, path: `/api/diff?key=${key}&from=R&to=2`, parameter: "from" },
  { name: "/api/diff?to", route: getDiff, path: `/api/diff?key=${key}&from=2&to=R`, parameter: "to" },
  { name: "/api/changes?from", route: getChanges, path: `/api/changes?prefix=${prefix}&from=R`, parameter: "from" },
  { name: "/api/changes?to", route: getChanges, path: `/api/changes?prefix=${prefix}&to=R`, parameter: "to" },
  { name: "/api/changes?cursor", route: getChanges, path: `/api/changes?prefix=${prefix}&cursor=R`, parameter: "cursor" },
  { name: "/api/watch?fromRevision", route: watchRoute, path: `/api/watch?prefix=${prefix}&fromRevision=R`, parameter: "fromRevision" },
];

async function call(use: (typeof uses)[number], revision: string) {
  const path = use.path.replace("=R", `=${revision}`);
  return use.route === watchRoute ? callWatch(path) : callRoute(use.route, path);
}

beforeAll(async () => {
  etcd = await startTestEtcd("bad-input-revisions");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  await writer.put("/bad-rev/a").value("1");
  await writer.put("/bad-rev/a").value("2");
  current = Number((await writer.put("/bad-rev/b").value("3")).header.revision);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("a revision etcd has not reached", () => {
  it.each(uses)("$name is refused as future_revision, naming the current revision", async (use) => {
    const { status, body } = await call(use, String(FUTURE));
    expect(status).toBe(400);
    expect(body.error.code).toBe("future_revision");
    expect(body.error.message).toBe(
      `"${use.parameter}" (${FUTURE}) is a future revision: etcd is at revision ${body.error.currentRevision}`,
    );
    expect(body.error.currentRevision).toBeGreaterThanOrEqual(current);
  });

  it("Last-Event-ID of /api/watch is refused the same way", async () => {
    const { status, body } = await callWatch(`/api/watch?prefix=${prefix}`, String(FUTURE));
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: "future_revision",
      message: `"Last-Event-ID" (${FUTURE}) is a future revision: etcd is at revision ${body.error.currentRevision}`,
    });
  });

  it("the current revision itself is accepted everywhere", async () => {
    for (const use of uses) {
      const { status, body } = await call(use, String(current));
      expect(status, `${use.name}: ${JSON.stringify(body)}`).toBe(200);
    }
  });
});

describe("a revision above 2^53", () => {
  it.each(uses)("$name is refused, not rounded", async (use) => {
    const { status, body } = await call(use, "999999999999999999");
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: "bad_request", message: `"${use.parameter}": a revision is at most 9007199254740991` });
  });

  it("Last-Event-ID above 2^53 is refused, not rounded", async () => {
    const { status, body } = await callWatch(`/api/watch?prefix=${prefix}`, "999999999999999999");
    expect(status).toBe(400);
    expect(body.error).toEqual({ code: "bad_request", message: `"Last-Event-ID": a revision is at most 9007199254740991` });
  });
});
