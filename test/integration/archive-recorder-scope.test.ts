import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Etcd3 } from "etcd3";
import { afterEach, describe, expect, it } from "vitest";
import type { ArchiveKeyFilter } from "@/lib/archive/key-filter";
import { ArchiveRecorder } from "@/lib/archive/recorder";
import type { Retention } from "@/lib/archive/retention";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore } from "@/lib/archive/store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision } from "@/lib/etcd/watch";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { connectionTo, seedingClient, startTestEtcd } from "./support";

// The recorder with a cluster's include/exclude prefixes and a retention, against a real etcd and
// a real SQLite file: excluded keys never reach the archive, included ones all do, the last
// revision stored still reaches etcd's revision when the newest revisions touch excluded keys only,
// and a restarted recorder resumes there and applies the retention as it starts.

const CLUSTER = "default";
const KEYS: ArchiveKeyFilter = { include: ["/registry/"], exclude: ["/registry/events/"] };

type Running = { etcd: EtcdProcess; writer: Etcd3; connection: ClusterConnection; dir: string; cleanups: (() => Promise<void> | void)[] };
let running: Running | null = null;

afterEach(async () => {
  if (!running) return;
  for (const cleanup of running.cleanups.reverse()) await cleanup();
  running.writer.close();
  running.connection.client.close();
  await running.etcd.stop();
  rmSync(running.dir, { recursive: true, force: true });
  running = null;
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function recordUntilCurrent(setup: Running, store: ArchiveStore, retention?: Retention): Promise<ArchiveRecorder> {
  const recorder = new ArchiveRecorder({ cluster: CLUSTER, connection: setup.connection, store, lockTtlMs: 2_000, keys: KEYS, retention });
  recorder.start();
  setup.cleanups.push(() => recorder.stop());
  const current = await readCurrentRevision(setup.connection);
  await waitFor(`the archive holds revision ${current}`, async () => (await store.lastRecordedRevision(CLUSTER)) >= current);
  expect(await store.lastRecordedRevision(CLUSTER)).toBe(current);
  return recorder;
}

const history = async (store: ArchiveStore, key: string) =>
  (await store.historyOf(CLUSTER, Buffer.from(key), { limit: 1_000 }))
    .map((version) => `${version.type} ${version.value.toString()}`)
    .reverse();

describe("archive recorder with include/exclude prefixes", () => {
  it("stores only the keys the cluster archives, still reaches etcd's revision, resumes after a restart and applies the retention", async () => {
    const etcd = await startTestEtcd("archive-scope");
    const dir = mkdtempSync(join(tmpdir(), "etcdlens-archive-scope-"));
    const setup: Running = (running = { etcd, writer: seedingClient(etcd), connection: connectionTo(etcd), dir, cleanups: [] });
    const { writer } = setup;
    // Before the recorder: its baseline and etcd's retained history.
    await writer.put("/registry/pods/shop/web").value("pod v1");
    await writer.put("/registry/events/shop/web.1").value("event 1");
    await writer.put("/other/key").value("outside /registry/");

    const first = openSqliteStore(dir);
    setup.cleanups.push(() => first.close());
    const recorder = await recordUntilCurrent(setup, first);
    // Live, and ending with revisions that touch excluded keys only.
    await writer.put("/registry/pods/shop/web").value("pod v2");
    await writer.kv.txn({
      compare: [],
      success: [
        { request_put: { key: Buffer.from("/registry/events/shop/web.2"), value: Buffer.from("event 2") } },
        { request_put: { key: Buffer.from("/registry/configmaps/shop/app"), value: Buffer.from("config v1") } },
      ],
      failure: [],
    });
    for (let i = 3; i <= 6; i++) await writer.put(`/registry/events/shop/web.${i}`).value(`event ${i}`);
    await writer.put("/other/key").value("still outside");
    await waitFor("the recorder has seen etcd's revision", async () => {
      const current = await readCurrentRevision(setup.connection);
      return (await first.lastRecordedRevision(CLUSTER)) === current;
    });

    expect(await history(first, "/registry/pods/shop/web")).toEqual(["PUT pod v1", "PUT pod v2"]);
    expect(await history(first, "/registry/configmaps/shop/app")).toEqual(["PUT config v1"]);
    expect(await history(first, "/registry/events/shop/web.1")).toEqual([]);
    expect(await history(first, "/registry/events/shop/web.2")).toEqual([]);
    expect(await history(first, "/other/key")).toEqual([]);
    const stored = await first.readRevisions(CLUSTER, { from: 1, limit: 10_000 });
    const keys = new Set(stored.flatMap((revision) => revision.events.map((event) => event.key.toString())));
    expect([...keys].sort()).toEqual(["/registry/configmaps/shop/app", "/registry/pods/shop/web"]);
    await recorder.stop();
    await first.close();

    // Written while no recorder runs: 30 versions of 20 KB, which the retention below cannot all keep.
    for (let i = 0; i < 30; i++) await writer.put("/registry/secrets/shop/blob").value(randomBytes(20_000));
    await writer.put("/registry/events/shop/web.7").value("event 7");
    const again = openSqliteStore(dir);
    setup.cleanups.push(() => again.close());
    const before = await again.coverage(CLUSTER);
    await recordUntilCurrent(setup, again, { maxBytes: 200_000 });
    const blob = await again.historyOf(CLUSTER, Buffer.from("/registry/secrets/shop/blob"), { limit: 1_000 });
    // Nothing twice: each of the blob's versions is a revision of its own.
    expect(new Set(blob.map((version) => version.revision)).size).toBe(blob.length);
    // In batches a moment apart, until the archive fits.
    await waitFor(
      "the retention has pruned the archive under its size",
      async () => (await again.coverage(CLUSTER)).storedBytes! <= 200_000,
    );
    const coverage = await again.coverage(CLUSTER);
    expect(coverage.storedBytes).toBeLessThanOrEqual(200_000);
    expect(coverage.firstRevision).toBeGreaterThan(before.firstRevision!);
    expect(coverage.lastRevision).toBe(await readCurrentRevision(setup.connection));
    // The newest versions stay, and decode.
    const kept = await again.historyOf(CLUSTER, Buffer.from("/registry/secrets/shop/blob"), { limit: 1_000 });
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(30);
    expect(kept[0].value.length).toBe(20_000);
    expect(await history(again, "/registry/pods/shop/web")).toEqual(["PUT pod v2"]);
    expect(await history(again, "/registry/events/shop/web.7")).toEqual([]);
  });
});
