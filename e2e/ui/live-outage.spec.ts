import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { restartSharedEtcd } from "../support/etcd";
import { readState } from "../support/state";

// Live mode through a 30 s etcd outage: while the server cannot watch etcd the badge says
// "Reconnecting…" (not "Live" with a revision it can no longer vouch for); once etcd is back on
// the same data it says "Live" again and the next write shows, all without a reload.

const OUTAGE_MS = 15_000;
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

    await restartSharedEtcd();
    await expect(badge).toContainText("Live · up to revision", { timeout: 60_000 });
    const revision = Number((await writer.put(KEY).value("after the outage").exec()).header.revision);
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("after the outage", { timeout: 15_000 });
    await expect(badge).toContainText(`Live · up to revision ${revision}`);
  } finally {
    writer.close();
    if (!isRunning(readState().etcd.pid)) await restartSharedEtcd();
  }
});

test("live mode switched on while etcd is down goes live once etcd is back, without a reload", async ({ page }) => {
  test.setTimeout(120_000);
  const state = readState();
  // A level no other test watches, so that no watch of it is running when the page asks for one.
  const key = "/demo/opened-during-outage/key";
  const writer = new Etcd3({ hosts: state.etcd.endpoint });
  try {
    await writer.put(key).value("before").exec();
    await stopEtcd(state.etcd.pid);
    // The server cannot start a watch it has no revision for: the stream is refused, and the
    // browser's EventSource gives up on a refused stream for good.
    await page.goto(pageOf(key));
    await page.getByRole("button", { name: "Live", exact: true }).click();
    const badge = page.getByRole("status", { name: "Live status" });
    await expect(badge).toHaveText("Reconnecting…", { timeout: 20_000 });
    await page.waitForTimeout(5_000);

    await restartSharedEtcd();
    await expect(badge).toContainText("Live · up to revision", { timeout: 60_000 });
    await writer.put(key).value("after the outage").exec();
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("after the outage", { timeout: 15_000 });
  } finally {
    writer.close();
    if (!isRunning(readState().etcd.pid)) await restartSharedEtcd();
  }
});

test("a live stream the server refused is opened again, without a reload", async ({ page }) => {
  // The server answered GET /api/watch with 502 etcd_unavailable when it could not start a watch
  // (etcd frozen, before the one watch module): EventSource never retries such an answer by
  // itself. Here the first answers are that 502, then the real stream is let through.
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  let refused = 0;
  let refusing = true;
  await page.route(
    (url) => url.pathname === "/api/watch",
    async (route) => {
      if (!refusing) return route.continue();
      refused += 1;
      await route.fulfill({
        status: 502,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "etcd_unavailable", message: "etcd did not answer within 5000 ms" } }),
      });
    },
  );
  try {
    const key = "/demo/live/refused-stream";
    await writer.put(key).value("before").exec();
    await page.goto(pageOf(key));
    await page.getByRole("button", { name: "Live", exact: true }).click();
    const badge = page.getByRole("status", { name: "Live status" });
    await expect(badge).toHaveText("Reconnecting…");
    await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    refusing = false;
    await expect(badge).toContainText("Live · up to revision", { timeout: 20_000 });
    await writer.put(key).value("after").exec();
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("after");
  } finally {
    writer.close();
  }
});
