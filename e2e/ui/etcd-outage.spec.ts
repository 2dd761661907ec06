import { expect, test } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { pageOf } from "../support/api";
import { restartSharedEtcd } from "../support/etcd";
import { readState } from "../support/state";

// etcd stopped mid-session: the page keeps rendering with a banner naming the endpoint, and comes
// back by itself, without a reload, when etcd does.

async function waitForExit(pid: number) {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`etcd (pid ${pid}) did not stop`);
}

test("etcd stopped mid-session shows a banner and recovers without a reload", async ({ page }) => {
  const state = readState();
  await page.goto(pageOf(DEMO_KEYS.pod));
  await expect(page.getByTestId("cluster-revision")).toHaveText(/^\d+$/);

  process.kill(state.etcd.pid, "SIGTERM");
  await waitForExit(state.etcd.pid);
  const banner = page.getByRole("alert").filter({ hasText: "etcd is unreachable" });
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText(`127.0.0.1:${state.etcd.clientPort}`);
  // One sentence per thought, in words: no gRPC text and no empty "Resolution note: ." at its end.
  await expect(banner).toHaveText(/^etcd is unreachable\. \S.*[^\s.:]\. Retrying every 5 seconds\.$/);
  await expect(banner).not.toContainText(/Resolution note|Last error|UNAVAILABLE/);

  // Navigating while etcd is down still renders the page, with the error in place of the value.
  await page.getByRole("link", { name: "etcdlens" }).click();
  await expect(page.getByRole("tree", { name: "Keys" })).toBeVisible();

  await restartSharedEtcd();
  await expect(banner).toBeHidden({ timeout: 30_000 });
  await expect(page.getByRole("treeitem", { name: "/" })).toBeVisible();
  await expect(page.getByTestId("cluster-revision")).toHaveText(/^\d+$/);
});
