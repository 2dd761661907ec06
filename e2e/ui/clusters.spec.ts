import { expect, test } from "@playwright/test";

// Several clusters: the switcher picks one, every link and API call stays on it, and a copied
// link opens the same key on the same cluster.

test("switching clusters keeps the choice in every link and in copied URLs", async ({ page, browser }) => {
  await page.goto("/keys");
  const switcher = page.getByRole("combobox", { name: "Cluster" });
  await expect(switcher).toHaveValue("default");
  await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "registry" })).toBeVisible();

  await switcher.selectOption("second");
  await expect(page).toHaveURL(/\/keys\/second\?cluster=second$/);
  const tree = page.getByRole("tree", { name: "Keys" });
  await expect(tree.getByRole("link", { name: "registry" })).toHaveCount(0);
  await tree.getByRole("link", { name: "only-here" }).click();
  await expect(page).toHaveURL(/\/keys\/second\/only-here\?cluster=second$/);
  await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("this key lives in the second cluster");

  const context = await browser.newContext();
  const teammate = await context.newPage();
  await teammate.goto(page.url());
  await expect(teammate.getByRole("combobox", { name: "Cluster" })).toHaveValue("second");
  await expect(teammate.getByLabel("Value", { exact: true }).last()).toHaveText("this key lives in the second cluster");
  await context.close();

  await page.getByRole("combobox", { name: "Cluster" }).selectOption("default");
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "registry" })).toBeVisible();
});
