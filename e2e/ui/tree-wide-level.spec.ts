import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// A tree level far longer than a page: the sidebar keeps only the rows near the viewport in the
// page and fetches the next page from the server as the user scrolls towards the end.

const PREFIX = "/demo/wide-e2e/";
const COUNT = 1_000;
const name = (i: number) => `item-${String(i).padStart(4, "0")}`;

async function putMany(writer: Etcd3, keys: string[]): Promise<void> {
  for (let at = 0; at < keys.length; at += 250) {
    await Promise.all(keys.slice(at, at + 250).map((key) => writer.put(key).value("v").exec()));
  }
}

test("a level of 1,000 keys scrolls in the tree with few rows in the page, paging as it goes", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    await putMany(
      writer,
      Array.from({ length: COUNT }, (_, i) => PREFIX + name(i)),
    );
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

test("a long level the user has scrolled past does not keep loading its remaining pages", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  const below = "/demo/wide-e2f/";
  // Ten pages of 200: enough that loading them all cannot pass for the few a scroll goes through.
  const firstLevelKeys = 2_000;
  try {
    await putMany(writer, [
      ...Array.from({ length: firstLevelKeys }, (_, i) => PREFIX + name(i)),
      ...Array.from({ length: 400 }, (_, i) => `${below}b-${i}`),
    ]);
    const pagesOfFirstLevel: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/keys" && url.searchParams.get("prefix") === PREFIX)
        pagesOfFirstLevel.push(url.searchParams.get("cursor") ?? "first");
    });
    await page.goto(pageOf(PREFIX.slice(0, -1)));
    const tree = page.getByRole("tree", { name: "Keys" });
    await expect(tree.getByRole("link", { name: name(0), exact: true })).toBeVisible();
    await tree.getByRole("button", { name: "Expand wide-e2f" }).click();
    await expect(tree.getByRole("status")).toHaveCount(2);

    // Down to the second level: the first one, some of its ten pages loaded on the way, is now above the view.
    const scroller = page.getByRole("navigation", { name: "Key tree" });
    await expect(async () => {
      await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await expect(tree.getByRole("treeitem", { name: "b-99", exact: true })).toBeVisible({ timeout: 250 });
    }).toPass({ intervals: [100], timeout: 15_000 });
    await expect(tree.getByRole("link", { name: name(0), exact: true })).toHaveCount(0);
    const loadedWhenPassed = pagesOfFirstLevel.length;
    // Nothing to wait for but time: a level scrolled past used to fetch page after page.
    await page.waitForTimeout(1_500);
    expect(pagesOfFirstLevel).toHaveLength(loadedWhenPassed);
    expect(loadedWhenPassed).toBeLessThan(firstLevelKeys / 200);
  } finally {
    await writer.delete().prefix(PREFIX).exec();
    await writer.delete().prefix(below).exec();
    writer.close();
  }
});
