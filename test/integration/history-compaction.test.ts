import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getDiff } from "@/app/api/diff/route";
import { encodeKeyParam } from "@/lib/keys";
import type { HistoryDto, HistoryItemDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// History after a real compaction, the way a Kubernetes cluster compacts every 5 minutes: a version
// whose own revision is gone but which was still the key's value at the compaction is opened at
// the compaction revision; a version etcd no longer holds is not offered; and "history before N
// was compacted" is said only of keys whose history reaches back past N. Each test compacts the
// whole store at its own, newer revision.

let etcd: EtcdProcess;
let writer: Etcd3;

const q = (text: string) => encodeKeyParam(Buffer.from(text));
const put = async (key: string, value: string) => Number((await writer.put(key).value(value)).header.revision);
const compactAt = async (revision: number) => {
  await writer.kv.compact({ revision: String(revision), physical: true });
};

async function historyOf(key: string, extra = ""): Promise<HistoryDto> {
  const { status, body } = await callRoute(getHistory, `/api/history?key=${q(key)}${extra}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as HistoryDto;
}

const brief = (item: HistoryItemDto) => [item.revision, item.type, item.version, item.openRevision];

async function valueAt(key: string, revision: number) {
  const { status, body } = await callRoute(getKey, `/api/key?key=${q(key)}&rev=${revision}`);
  return { status, text: body.value?.text, modRevision: body.kv?.modRevision };
}

beforeAll(async () => {
  etcd = await startTestEtcd("history-compaction");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("history after a compaction", () => {
  it("opens a version whose revision is compacted at the compaction revision, where etcd still has it", async () => {
    const key = "/hc/updated/web";
    const created = await put(key, "one");
    const second = await put(key, "two");
    const compaction = await put("/hc/updated/filler", "x");
    const third = await put(key, "three");
    await compactAt(compaction);

    const history = await historyOf(key);
    expect(history.items.map(brief)).toEqual([
      [third, "PUT", 3, third],
      [second, "PUT", 2, compaction],
    ]);
    // "one" is gone; "two" lasted from its revision until "three", past the compaction.
    expect(history.compactRevision).toBe(compaction);
    expect(created).toBeLessThan(compaction);

    expect(await valueAt(key, second)).toMatchObject({ status: 410 });
    for (const item of history.items) {
      const shown = await valueAt(key, item.openRevision!);
      expect(shown.status).toBe(200);
      expect(shown.modRevision).toBe(item.revision);
    }
    expect((await valueAt(key, compaction)).text).toBe("two");

    // Comparing the two entries at the revisions they open at works; at their own revisions it cannot.
    const diff = await callRoute(
      getDiff,
      `/api/diff?key=${q(key)}&from=${history.items[1].openRevision}&to=${history.items[0].openRevision}`,
    );
    expect(diff.status).toBe(200);
  });

  it("opens the oldest version of a page at the compaction revision when the page is paged to it", async () => {
    const key = "/hc/paged/web";
    await put(key, "one");
    const second = await put(key, "two");
    const compaction = await put("/hc/paged/filler", "x");
    const third = await put(key, "three");
    await compactAt(compaction);

    const first = await historyOf(key, "&limit=1");
    expect(first.items.map(brief)).toEqual([[third, "PUT", 3, third]]);
    expect(first.next).toBe(third);
    const older = await historyOf(key, `&limit=1&before=${first.next}`);
    expect(older.items.map(brief)).toEqual([[second, "PUT", 2, compaction]]);
    expect(older.compactRevision).toBe(compaction);
  });

  it("opens a key never changed since before the compaction at the compaction revision", async () => {
    const key = "/hc/untouched/config";
    const created = await put(key, "stays");
    const compaction = await put("/hc/untouched/filler", "x");
    await compactAt(compaction);

    const history = await historyOf(key);
    expect(history.items.map(brief)).toEqual([[created, "PUT", 1, compaction]]);
    expect((await valueAt(key, compaction)).text).toBe("stays");
  });

  it("does not say history was compacted for a key created after the compaction", async () => {
    const compaction = await put("/hc/fresh/filler", "x");
    await compactAt(compaction);
    const key = "/hc/fresh/new";
    const created = await put(key, "a");
    const updated = await put(key, "b");

    const history = await historyOf(key);
    expect(history.compactRevision).toBeUndefined();
    expect(history.items.map(brief)).toEqual([
      [updated, "PUT", 2, updated],
      [created, "PUT", 1, created],
    ]);
    expect(history.next).toBeNull();
  });

  it("does not say history was compacted for a folder, which has no history of its own", async () => {
    await put("/hc/folder/a", "1");
    await put("/hc/folder/b", "2");
    const compaction = await put("/hc/folder/c", "3");
    await compactAt(compaction);

    const history = await historyOf("/hc/folder/");
    expect(history.items).toEqual([]);
    expect(history.compactRevision).toBeUndefined();
  });

  it("says so for a key re-created after the compaction whose earlier lifecycle began before it", async () => {
    const key = "/hc/recreated/web";
    await put(key, "first life");
    const compaction = await put("/hc/recreated/filler", "x");
    await compactAt(compaction);
    const deleted = Number((await writer.delete().key(key)).header.revision);
    const recreated = await put(key, "second life");

    const history = await historyOf(key);
    expect(history.items.map(brief)).toEqual([
      [recreated, "PUT", 1, recreated],
      [deleted, "DELETE", 0, deleted],
    ]);
    expect(history.compactRevision).toBe(compaction);
  });
});
