import { expect, test } from "@playwright/test";

// Bad input as a person meets it in Chromium: a broken link, a folder typed without its slash.

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
