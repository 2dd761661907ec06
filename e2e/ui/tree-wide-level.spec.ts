import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// A tree level far longer than a page: the sidebar keeps only the rows near the viewport in the
// page and fetches the next page from the server as the user scrolls towards the end.

const PREFIX = "/demo/wide-e2e/";
const COUNT = 1_000;
const name = (i: number) => `item-${String(i).padStart(4, "0")}`;

test("a level of 1,000 keys scrolls in the tree with few rows in the page, paging as it goes", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    for (let at = 0; at < COUNT; at += 250) {
      await Promise.all(Array.from({ length: Math.min(250, COUNT - at) }, (_, i) => writer.put(PREFIX + name(at + i)).value("v").exec()));
    }
    await page.goto(pageOf(PREFIX.slice(0, -1)));
    const tree = page.getByRole("tree", { name: "Keys" });
    const rows = tree.getByRole("treeitem", { name: /^item-\d{4}$/ });
    await expect(tree.getByRole("link", { name: name(0), exact: true })).toBeVisible();
    await expect(tree.getByRole("status")).toContainText("200 shown");
    expect(await rows.count()).toBeLessThan(100);

    const scroller = page.getByRole("navigation", { name: "Key tree" });
    const last = tree.getByRole("treeitem", { name: name(COUNT - 1), exact: true });
    await expect(async () => {
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await expect(last).toBeVisible({ timeout: 250 });
    }).toPass({ intervals: [100], timeout: 30_000 });

    expect(await rows.count()).toBeLessThan(100);
    await expect(last).toHaveAttribute("aria-posinset", String(COUNT));
    await expect(last).toHaveAttribute("aria-setsize", String(COUNT));
    await expect(tree.getByRole("treeitem", { name: name(0), exact: true })).toHaveCount(0);
    await last.getByRole("link", { name: name(COUNT - 1), exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/keys/demo/wide-e2e/${name(COUNT - 1)}$`));
  } finally {
    await writer.delete().prefix(PREFIX).exec();
    writer.close();
  }
});
