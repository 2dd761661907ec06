import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { LONG_KEY_20K } from "../support/bad-input-seed";

// A 20 KB key, too long for a URL, in the two places that still built a GET for it: the raw
// download and the jump box. Neither may meet a 405 or an empty 431.

function watchRefusals(page: Page): string[] {
  const refused: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 405 || response.status() === 431 || response.status() >= 500) {
      refused.push(`${response.status()} ${response.request().method()} ${response.url().slice(0, 80)}`);
    }
  });
  return refused;
}

test("the raw value of a 20 KB key downloads whole", async ({ page }) => {
  const refused = watchRefusals(page);
  await page.goto("/keys/bad-input/long");
  await page
    .getByRole("list", { name: "Folder contents" })
    .getByRole("link", { name: /^k20-y+$/ })
    .click();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(LONG_KEY_20K);
  await page.getByRole("tab", { name: "Raw" }).click();
  const downloading = page.waitForEvent("download");
  // A link while the URL fits a GET; here a button that posts the query.
  await page.getByText("Download the value", { exact: true }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("value.bin");
  const path = await download.path();
  expect(await readFile(path, "utf8")).toBe("twenty kilobytes of key, second version");
  await expect(page.getByText(/^Download failed/)).toHaveCount(0);
  expect(refused).toEqual([]);
});

test("the jump box completes a pasted 10 KB part of a 20 KB key and opens it", async ({ page }) => {
  const refused = watchRefusals(page);
  await page.goto("/keys");
  const box = page.getByRole("combobox", { name: "Go to key" });
  await box.fill(LONG_KEY_20K.slice(0, 10 * 1024));
  const option = page.getByRole("listbox", { name: "Suggestions" }).getByRole("option", { name: LONG_KEY_20K, exact: true });
  await option.click();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(LONG_KEY_20K);
  await expect(page.getByText("twenty kilobytes of key, second version")).toBeVisible();
  expect(refused).toEqual([]);
});
