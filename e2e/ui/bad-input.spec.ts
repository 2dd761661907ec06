import { expect, test } from "@playwright/test";
import { LONG_KEY_10K, LONG_KEY_20K } from "../support/bad-input-seed";
import { pageOf } from "../support/api";

// Bad input as a person meets it in Chromium: a broken link, a folder typed without its slash,
// keys too long for a URL.

test("a link with a broken percent-escape shows a bad-link page with a way back", async ({ page }) => {
  const response = await page.goto("/keys/%ZZ");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("heading", { name: "Bad link" })).toBeVisible();
  await page.getByRole("link", { name: "Open the key tree" }).click();
  await expect(page).toHaveURL(/\/keys$/);
});

test("the folder /keys/registry/pods lists what is below it", async ({ page }) => {
  await page.goto("/keys/registry/pods");
  const contents = page.getByRole("list", { name: "Folder contents" });
  await expect(contents.getByRole("link", { name: "shop/" })).toBeVisible();
});

test("keys of 10 KB and 20 KB open from the folder and the tree without a request the server refuses", async ({ page }) => {
  const refused: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 431 || response.status() >= 500) refused.push(`${response.status()} ${response.url().slice(0, 80)}`);
  });
  await page.goto("/keys/bad-input/long");
  const contents = page.getByRole("list", { name: "Folder contents" });
  await contents.getByRole("link", { name: /^k20-y+$/ }).click();
  await expect(page.getByText("twenty kilobytes of key, second version")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(LONG_KEY_20K);
  expect(new URL(page.url()).hash.startsWith("#key=")).toBe(true);
  // The history of the 20 KB key lists both of its versions.
  await expect(page.getByRole("checkbox", { name: /^Select revision \d+ for comparison$/ })).toHaveCount(2);

  // From the tree to the other long key: only the fragment changes.
  await page.getByTitle(LONG_KEY_10K, { exact: true }).click();
  await expect(page.getByText("ten kilobytes of key")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(LONG_KEY_10K);

  // A copied link opens the same key in a new page.
  await page.goto(page.url());
  await expect(page.getByText("ten kilobytes of key")).toBeVisible();
  expect(refused).toEqual([]);
});

test("a JSON value nested 5,000 levels deep is shown as its text", async ({ page }) => {
  await page.goto(pageOf("/bad-input/deep/json"));
  await expect(page.getByText(/^\{"a":\{"a":\{"a":/).first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/bad-input/deep/json");
});
