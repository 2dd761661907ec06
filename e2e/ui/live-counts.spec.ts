import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// Live mode keeps the key counts of the tree's folder rows right: a key created or deleted below
// a folder changes the count on that folder's row and on every row above it, without a reload.

function countOf(page: Page, name: string) {
  // The row itself, not the rows of its expanded children inside the same treeitem.
  return page
    .getByRole("tree", { name: "Keys" })
    .getByRole("treeitem", { name, exact: true })
    .locator(":scope > div")
    .getByText(/^[\d,]+ keys?$/);
}

const parse = (text: string | null) => Number((text ?? "").replace(/[^\d]/g, ""));

test("live mode refreshes the key counts of the folder rows above a created or deleted key", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    await writer.delete().prefix("/demo/live-counts/").exec();
    await writer.put("/demo/live-counts/a").value("first").exec();
    await page.goto(pageOf("/demo/live-counts/a"));
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("first");
    await expect(countOf(page, "live-counts")).toHaveText("1 key");
    const demoBefore = parse(await countOf(page, "demo").textContent());
    expect(demoBefore).toBeGreaterThan(1);

    await page.getByRole("button", { name: "Live", exact: true }).click();
    await expect(page.getByRole("status", { name: "Live status" })).toContainText("Live · up to revision");

    await writer.put("/demo/live-counts/b").value("second").exec();
    const tree = page.getByRole("tree", { name: "Keys" });
    await expect(tree.getByRole("link", { name: "b", exact: true })).toBeVisible();
    await expect(countOf(page, "live-counts")).toHaveText("2 keys");
    await expect(countOf(page, "demo")).toHaveText(`${(demoBefore + 1).toLocaleString("en-US")} keys`);

    // An update changes no count; a delete lowers them again.
    await writer.put("/demo/live-counts/b").value("second, changed").exec();
    await writer.delete().key("/demo/live-counts/b").exec();
    await expect(tree.getByRole("link", { name: "b", exact: true })).toHaveCount(0);
    await expect(countOf(page, "live-counts")).toHaveText("1 key");
    await expect(countOf(page, "demo")).toHaveText(`${demoBefore.toLocaleString("en-US")} keys`);
  } finally {
    await writer.delete().prefix("/demo/live-counts/").exec();
    writer.close();
  }
});
