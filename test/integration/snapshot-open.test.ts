import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getKeys } from "@/app/api/keys/route";
import type { ChildDto, HistoryItemDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { openSnapshots, snapshotClusterEntries, type OpenedSnapshot } from "@/scripts/lib/snapshot-open";
import { ETCDCTL, requireProgram } from "@/scripts/lib/system-deps";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// npm run open's library part against a real etcd and a real etcdctl: a snapshot saved from one
// etcd is restored into a private one, read through the route handlers as cluster
// "snapshot:<file name>" (history and time travel included), and bad files fail with one line
// each, leaving no etcd running and no temporary directory behind.

const q = (text: string) => encodeKeyParam(Buffer.from(text));

let source: EtcdProcess;
let folder: string;
let tempRoot: string;
let snapshotFile: string;
let opened: OpenedSnapshot[] = [];
const revisions: number[] = [];

/** Processes whose command line names `text` (an etcd started on a data dir under tempRoot). */
function processesNaming(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

beforeAll(async () => {
  source = await startTestEtcd("snapshot-source");
  const writer = seedingClient(source);
  revisions.push(Number((await writer.put("/snap/web").value("v1")).header.revision));
  revisions.push(Number((await writer.delete().key("/snap/web")).header.revision));
  revisions.push(Number((await writer.put("/snap/web").value("v2")).header.revision));
  await writer.put("/snap/later").value("x");
  writer.close();
  folder = scratchDir(join(tmpdir(), "etcdlens-test"), "snapshot-open");
  tempRoot = join(folder, "restores");
  mkdirSync(tempRoot, { recursive: true });
  snapshotFile = join(folder, "backup.db");
  execFileSync(requireProgram(ETCDCTL), ["--endpoints", source.endpoint, "snapshot", "save", snapshotFile], {
    env: { ...process.env, ETCDCTL_API: "3" },
    stdio: "ignore",
  });
  await source.stop();

  opened = await openSnapshots([snapshotFile], { tempRoot });
  writeFileSync(join(folder, "etcdlens.yaml"), ["clusters:", ...snapshotClusterEntries(opened)].join("\n"));
  delete process.env.ETCDCTL_ENDPOINTS;
  process.env.ETCDLENS_CONFIG = join(folder, "etcdlens.yaml");
}, 25_000);

afterAll(async () => {
  await Promise.all(opened.map((snapshot) => snapshot.close()));
  await source?.stop();
});

describe("npm run open: a snapshot file as a cluster", () => {
  it("reads the key's whole history and an older revision from the restored snapshot, by its snapshot: name", async () => {
    expect(opened[0].name).toBe("snapshot:backup.db");
    expect(opened[0].status).toMatchObject({ revision: revisions[2] + 1, totalKey: expect.any(Number) });
    expect(opened[0].skippedHashCheck).toBe(false);
    const cluster = encodeURIComponent(opened[0].name);

    const history = await callRoute(getHistory, `/api/history?key=${q("/snap/web")}&cluster=${cluster}`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((item: HistoryItemDto) => [item.revision, item.type])).toEqual([
      [revisions[2], "PUT"],
      [revisions[1], "DELETE"],
      [revisions[0], "PUT"],
    ]);

    const before = await callRoute(getKeys, `/api/keys?prefix=${q("/snap/")}&rev=${revisions[0]}&cluster=${cluster}`);
    expect(before.status).toBe(200);
    expect(before.body.items.map((item: ChildDto) => item.name)).toEqual(["web"]);
    const now = await callRoute(getKeys, `/api/keys?prefix=${q("/snap/")}&cluster=${cluster}`);
    expect(now.body.items.map((item: ChildDto) => item.name)).toEqual(["later", "web"]);

    const value = await callRoute(getKey, `/api/key?key=${q("/snap/web")}&cluster=${cluster}`);
    expect(value.body.value.text).toBe("v2");
  });

  it("refuses a truncated file and a text file with one line each, and leaves nothing running", async () => {
    const whole = readFileSync(snapshotFile);
    // Cut at a page boundary, bbolt crashes etcdctl; cut elsewhere, status and even restore can
    // pass (a size that is a multiple of 512 reads as a member's db without a hash).
    const truncated = join(folder, "truncated.db");
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2 / 4096) * 4096));
    const cut = join(folder, "cut.db");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2 / 512) * 512 + 512));
    const text = join(folder, "notes.txt");
    writeFileSync(text, "this is not a snapshot\n".repeat(200));
    const missing = join(folder, "missing.db");
    const failureRoot = join(folder, "failures");
    mkdirSync(failureRoot);

    // The good file is opened first, then closed again because the others fail.
    const attempt = openSnapshots([snapshotFile, truncated, cut, text, missing], { tempRoot: failureRoot });
    await expect(attempt).rejects.toThrow();
    const message = await attempt.then(
      () => "",
      (error: Error) => error.message,
    );
    const lines = message.split("\n");
    expect(lines, message).toHaveLength(4);
    const damaged =
      "(truncated \\(\\d+ bytes; the snapshot says \\d+\\)|not a readable etcd snapshot \\(etcdctl snapshot status: etcdctl crashed reading it, the file is damaged or truncated: .+\\))";
    expect(lines[0]).toMatch(new RegExp(`^${truncated}: ${damaged}$`));
    expect(lines[1]).toMatch(new RegExp(`^${cut}: ${damaged}$`));
    expect(lines[2]).toMatch(new RegExp(`^${text}: not a readable etcd snapshot \\(etcdctl snapshot status: .+\\)$`));
    expect(lines[3]).toBe(`${missing}: no such file`);
    expect(processesNaming(failureRoot)).toEqual([]);
    expect(readdirSync(failureRoot)).toEqual([]);
  });

  it("stops the private etcd and removes its data when closed", async () => {
    const [snapshot] = opened;
    const pid = snapshot.etcd.pid();
    expect(processesNaming(tempRoot)).toEqual([pid]);
    await snapshot.close();
    opened = [];
    expect(processesNaming(tempRoot)).toEqual([]);
    expect(readdirSync(tempRoot)).toEqual([]);
  });
});
