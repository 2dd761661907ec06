import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// The keyboard, as a person uses it: the key tree follows the WAI-ARIA tree pattern, "/" goes to
// the jump box, "?" lists every shortcut, and [ ] step only to versions etcd can still show.

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();
const row = (page: Page, name: string) => page.getByRole("tree", { name: "Keys" }).getByRole("treeitem", { name, exact: true });

test("arrow keys move through the tree, → opens and ← closes a folder, Enter opens the row, Home and End", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.pod));
  const tree = page.getByRole("tree", { name: "Keys" });
  const pod = row(page, "web-7c9d8f6b5-x2x9k");
  const shop = row(page, "shop");
  const pods = row(page, "pods");

  // One tab stop: the selected row.
  await expect(pod).toHaveAttribute("tabindex", "0");
  await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
  await pod.focus();
  await expect(pod).toBeFocused();

  await page.keyboard.press("ArrowLeft");
  await expect(shop).toBeFocused();
  await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press("ArrowLeft");
  await expect(shop).toHaveAttribute("aria-expanded", "false");
  await expect(pod).toHaveCount(0);
  await page.keyboard.press("ArrowRight");
  await expect(shop).toHaveAttribute("aria-expanded", "true");
  await expect(pod).toBeVisible();
  await expect(shop).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(shop.getByRole("group").getByRole("treeitem").first()).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(shop).toBeFocused();

  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(pods).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/keys\/registry\/pods$/);
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/registry/pods");
  await expect(pods).toHaveAttribute("aria-expanded", "true");
  await expect(pods).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(pods.getByRole("group").getByRole("treeitem").first()).toBeFocused();

  await page.keyboard.press("Home");
  await expect(tree.getByRole("treeitem").first()).toBeFocused();
  await page.keyboard.press("End");
  await expect(tree.getByRole("treeitem").last()).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(tree.getByRole("treeitem").last()).not.toBeFocused();
});

test("/ focuses the jump box, ? lists every shortcut, Esc closes the list", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await expect(valueText(page)).toContainText("replicas:");
  const jumpBox = page.getByRole("combobox", { name: "Go to key" });
  await page.keyboard.press("/");
  await expect(jumpBox).toBeFocused();
  await expect(jumpBox).toHaveValue("");
  // Typed into a field, "?" and "/" are text.
  await page.keyboard.type("/a?");
  await expect(jumpBox).toHaveValue("/a?");
  const dialog = page.getByRole("dialog", { name: "Shortcuts", exact: true });
  await expect(dialog).toBeHidden();

  await page.getByRole("heading", { name: "Key" }).click();
  await page.keyboard.press("?");
  await expect(dialog).toBeVisible();
  for (const action of [
    "go to key (focus the jump box)",
    "open a folder, or go to its first child",
    "close a folder, or go to its parent",
    "older version",
    "newer version",
    "compare with previous",
    "split / unified",
    "close comparison",
  ]) {
    await expect(dialog.getByText(action, { exact: true })).toBeVisible();
  }
  await expect(dialog.getByRole("region", { name: "Versions of a key" })).toContainText("[");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`${DEMO_KEYS.deployment}$`));
});

test("in a virtualized level of 300 keys, ↓ keeps the focused row on screen past the rendered window", async ({ page }) => {
  const prefix = "/demo/wide-keyboard-e2e/";
  const name = (i: number) => `row-${String(i).padStart(3, "0")}`;
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        writer
          .put(prefix + name(i))
          .value("v")
          .exec(),
      ),
    );
    await page.goto(pageOf(prefix.slice(0, -1)));
    const first = row(page, name(0));
    await first.focus();
    for (let i = 0; i < 80; i++) await page.keyboard.press("ArrowDown");
    const target = row(page, name(80));
    await expect(target).toBeFocused();
    await expect(target).toBeInViewport();
    await expect(target).toHaveAttribute("aria-posinset", "81");
    await expect(first).toHaveCount(0);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "Key" })).toHaveText(prefix + name(80));
  } finally {
    await writer.delete().prefix(prefix).exec();
    writer.close();
  }
});

function secondEndpoint(): string {
  const config = readFileSync(join(process.cwd(), "e2e", ".state", "clusters.yaml"), "utf8");
  const endpoint = /endpoints: \[([^\]]+)\]/.exec(config)?.[1];
  if (!endpoint) throw new Error("the second cluster's endpoint is not in e2e/.state/clusters.yaml");
  return endpoint;
}

test("after a compaction, [ and ] step through the versions etcd compacted, read from the archive the dashboard records", async ({
  page,
}) => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  const rev = (response: { header: { revision: string } }) => Number(response.header.revision);
  const key = "/second/keyboard-compaction/web";
  try {
    const one = rev(await writer.put(key).value("one").exec());
    const two = rev(await writer.put(key).value("two").exec());
    const compaction = rev(await writer.put("/second/keyboard-compaction/filler").value("x").exec());
    await writer.put(key).value("three").exec();
    await writer.kv.compact({ revision: String(compaction), physical: true });

    await page.goto(pageOf(key, { cluster: "second" }));
    await expect(valueText(page)).toHaveText("three");
    await page.getByRole("heading", { name: "Key" }).click();
    // Each archived version opens at its own revision, not at the compaction revision etcd holds it at.
    await page.keyboard.press("[");
    await expect(page).toHaveURL(new RegExp(`[?&]rev=${two}\\b`));
    await expect(valueText(page)).toHaveText("two");
    await page.keyboard.press("[");
    await expect(page).toHaveURL(new RegExp(`[?&]rev=${one}\\b`));
    await expect(valueText(page)).toHaveText("one");
    await expect(page.getByText("has been compacted")).toHaveCount(0);
    await page.keyboard.press("]");
    await expect(page).toHaveURL(new RegExp(`[?&]rev=${two}\\b`));
    await page.keyboard.press("]");
    await expect(page).not.toHaveURL(/[?&]rev=/);
    await expect(valueText(page)).toHaveText("three");
  } finally {
    await writer.delete().prefix("/second/keyboard-compaction/").exec();
    writer.close();
  }
});
