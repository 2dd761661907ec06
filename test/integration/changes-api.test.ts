import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getChanges } from "@/app/api/changes/route";
import type { ChangeDto, ChangesDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// The change feed against a real etcd: exact events under a prefix, newest first, bounded by
// revisions, paged, filtered, and honest about compaction.

let etcd: EtcdProcess;
let writer: Etcd3;
type Expected = { revision: number; type: "PUT" | "DELETE"; key: string; version: number };
const expected: Expected[] = [];

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const brief = (item: ChangeDto | Expected) => `${item.revision} ${item.type} ${item.key} v${item.version}`;

async function readAll(query: string, limit: number): Promise<ChangeDto[]> {
  const items: ChangeDto[] = [];
  let cursor: number | null = null;
  for (let page = 0; page < 1000; page++) {
    const { status, body } = await callRoute(getChanges, `/api/changes?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(status, JSON.stringify(body)).toBe(200);
    const dto = body as ChangesDto;
    items.push(...dto.items);
    cursor = dto.nextCursor;
    if (!cursor) break;
  }
  return items;
}

beforeAll(async () => {
  etcd = await startTestEtcd("changes-api");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
  const versions = new Map<string, number>();
  // 2,500 revisions, so pages span several replay windows; a fifth of them under /feed/.
  for (let i = 0; i < 2500; i++) {
    const underFeed = i % 5 === 0;
    const key = underFeed ? `/feed/item-${i % 15}` : `/noise/${i}`;
    if (underFeed && i % 45 === 0 && versions.has(key)) {
      const revision = Number((await writer.delete().key(key).exec()).header.revision);
      versions.delete(key);
      expected.push({ revision, type: "DELETE", key, version: 0 });
      continue;
    }
    const revision = Number((await writer.put(key).value(String(i)).exec()).header.revision);
    if (underFeed) {
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      expected.push({ revision, type: "PUT", key, version });
    }
  }
  expected.reverse();
}, 120_000);

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/changes", () => {
  it("lists every change under the prefix, newest first, across pages", async () => {
    const items = await readAll(`prefix=${q("/feed/")}`, 37);
    expect(items.map(brief)).toEqual(expected.map(brief));
    expect(items.every((item) => Buffer.from(item.keyBase64, "base64").toString() === item.key)).toBe(true);
  });

  it("keeps to a revision range and filters by type and key substring", async () => {
    const to = expected[10].revision;
    const from = expected[60].revision;
    const inRange = expected.filter((item) => item.revision >= from && item.revision <= to);
    const ranged = await readAll(`prefix=${q("/feed/")}&from=${from}&to=${to}`, 1000);
    expect(ranged.map(brief)).toEqual(inRange.map(brief));

    const deletes = await readAll(`prefix=${q("/feed/")}&type=DELETE`, 1000);
    expect(deletes.map(brief)).toEqual(expected.filter((item) => item.type === "DELETE").map(brief));
    expect(deletes.length).toBeGreaterThan(0);

    const containing = await readAll(`prefix=${q("/feed/")}&contains=${q("item-7")}`, 1000);
    expect(containing.map(brief)).toEqual(expected.filter((item) => item.key.includes("item-7")).map(brief));
  });

  it("rejects an inverted range", async () => {
    const { status, body } = await callRoute(getChanges, "/api/changes?from=10&to=5");
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/after/);
  });

  it("starts at the compaction revision when older history is gone, and says so", async () => {
    const compactAt = expected[20].revision;
    await writer.kv.compact({ revision: compactAt, physical: true });
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // the compaction revision is cached 5 s
    const items = await readAll(`prefix=${q("/feed/")}&from=1`, 1000);
    expect(items.map(brief)).toEqual(expected.filter((item) => item.revision >= compactAt).map(brief));
    const { body } = await callRoute(getChanges, `/api/changes?prefix=${q("/feed/")}&limit=5`);
    expect((body as ChangesDto).compactRevision).toBe(compactAt);
  });
});
