import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import type { ClusterDto } from "@/lib/api/dto";
import { findFreePort, scratchDir } from "@/scripts/lib/etcd-process";

// `npm run demo` as a person runs it (the real script, its etcd and the production build): the
// dashboard records from its first second, so after the seeder's compaction the archive still
// holds the revisions etcd dropped, and it goes on recording across a stop and a start.

const root = process.cwd();
const folder = scratchDir(join(tmpdir(), "etcdlens-e2e"), "demo");
const demos: ChildProcess[] = [];

test.afterAll(() => {
  // The demo's process group: the script, its dashboard and its etcd.
  for (const demo of demos) {
    try {
      if (demo.pid) process.kill(-demo.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(folder, { recursive: true, force: true });
});

/** Starts `npm run demo` and resolves once it prints the dashboard's address. */
async function startDemo(port: number): Promise<ChildProcess> {
  const demo = spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/demo.ts"], {
    cwd: root,
    env: { ...process.env, ETCDLENS_DEMO_DIR: folder, PORT: String(port), HOST: "127.0.0.1", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  demos.push(demo);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    demo.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("etcdlens demo: http://")) resolve();
    });
    demo.once("exit", (code) => reject(new Error(`npm run demo exited (${code}) before it was ready:\n${output}`)));
  });
  return demo;
}

async function readCluster(port: number): Promise<ClusterDto> {
  const response = await fetch(`http://127.0.0.1:${port}/api/cluster`);
  expect(response.status).toBe(200);
  return (await response.json()) as ClusterDto;
}

test("npm run demo records from its first second: the archive holds what the seeder's compaction took from etcd, across a restart", async () => {
  test.setTimeout(150_000);
  const port = await findFreePort();
  const first = await startDemo(port);
  // The dashboard caches the compaction revision for a few seconds, and it first asked before the seed.
  const deadline = Date.now() + 15_000;
  let fresh = await readCluster(port);
  while (fresh.compactRevision === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    fresh = await readCluster(port);
  }
  expect(fresh.compactRevision).toBeGreaterThan(2);
  expect(fresh.archive.recorder.state).toBe("recording");
  expect(fresh.archive.coverage).toMatchObject({ engine: "sqlite", gaps: [] });
  expect(fresh.archive.coverage?.firstRevision).toBeLessThan(fresh.compactRevision);

  first.kill("SIGTERM");
  await new Promise((resolve) => first.once("exit", resolve));

  const second = await startDemo(port);
  const restarted = await readCluster(port);
  expect(restarted.archive.recorder.state).toBe("recording");
  expect(restarted.archive.coverage).toMatchObject({
    engine: "sqlite",
    gaps: [],
    firstRevision: fresh.archive.coverage?.firstRevision,
    recordingSince: fresh.archive.coverage?.recordingSince,
  });
  second.kill("SIGTERM");
  await new Promise((resolve) => second.once("exit", resolve));
});
