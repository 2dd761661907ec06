import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { startEtcd } from "@/scripts/lib/etcd-process";
import { pageOf } from "../support/api";
import { readState, writeState } from "../support/state";

// Live mode through a 30 s etcd outage: while the server cannot watch etcd the badge says
// "Reconnecting…" (not "Live" with a revision it can no longer vouch for); once etcd is back on
// the same data it says "Live" again and the next write shows, all without a reload.

const OUTAGE_MS = 30_000;
const KEY = "/demo/live/outage";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopEtcd(pid: number): Promise<void> {
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isRunning(pid)) throw new Error(`etcd (pid ${pid}) did not stop`);
}

/** Starts the shared etcd again on its data and ports, and tells the other tests its new pid. */
async function restartEtcd(): Promise<void> {
  const state = readState();
  const etcd = await startEtcd({
    dataDir: state.etcd.dataDir,
    keepData: true,
    clientPort: state.etcd.clientPort,
    peerPort: state.etcd.peerPort,
    quiet: true,
  });
  writeState({ ...state, etcd: { ...state.etcd, pid: etcd.pid()! } });
}

test("the Live badge says Reconnecting… while etcd is down and Live again after, without a reload", async ({ page }) => {
  // The outage itself, then the server's backoff (capped at 30 s) before its watch is back.
  test.setTimeout(OUTAGE_MS + 90_000);
  const state = readState();
  const writer = new Etcd3({ hosts: state.etcd.endpoint });
  try {
    await writer.put(KEY).value("before").exec();
    await page.goto(pageOf(KEY));
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("before");
    const live = page.getByRole("button", { name: "Live", exact: true });
    if ((await live.getAttribute("aria-pressed")) !== "true") await live.click();
    const badge = page.getByRole("status", { name: "Live status" });
    await expect(badge).toContainText("Live · up to revision");

    const stoppedAt = Date.now();
    await stopEtcd(state.etcd.pid);
    await expect(badge).toHaveText("Reconnecting…", { timeout: 20_000 });
    // Still not live for as long as etcd is down.
    await page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    await expect(badge).toHaveText("Reconnecting…");

    await restartEtcd();
    await expect(badge).toContainText("Live · up to revision", { timeout: 60_000 });
    const revision = Number((await writer.put(KEY).value("after the outage").exec()).header.revision);
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("after the outage", { timeout: 15_000 });
    await expect(badge).toContainText(`Live · up to revision ${revision}`);
  } finally {
    writer.close();
    if (!isRunning(readState().etcd.pid)) await restartEtcd();
  }
});
