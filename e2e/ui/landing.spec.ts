import { expect, test, type Page } from "@playwright/test";
import { WIDE_LEVEL, wideLevelName } from "@/scripts/lib/odd-names";
import { pageOf } from "../support/api";

// The first page a person sees, the tree's root and folder views: each shows what it names, asks
// /api/key only for names that are keys, and leaves nothing red in the console.

function watchBrowser(page: Page): { errors: string[]; keyRequests: string[] } {
  const errors: string[] = [];
  const keyRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/key") keyRequests.push(request.url());
  });
  return { errors, keyRequests };
}

const folderContents = (page: Page) => page.getByRole("list", { name: "Folder contents" });

test("/keys shows the root level of the keyspace", async ({ page }) => {
  const browser = watchBrowser(page);
  await page.goto("/keys");
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/");
  for (const folder of ["registry/", "test/", "demo/"]) {
    await expect(folderContents(page).getByRole("link", { name: folder, exact: true })).toBeVisible();
  }
  await expect(page.getByText("No such key")).toHaveCount(0);
  await folderContents(page).getByRole("link", { name: "test/", exact: true }).click();
  await expect(page).toHaveURL(/\/keys\/test$/);
  await expect(folderContents(page).getByRole("link", { name: "piyo2", exact: true })).toBeVisible();
  expect(browser.keyRequests).toEqual([]);
  expect(browser.errors).toEqual([]);
});

test("the tree's root opens the root folder", async ({ page }) => {
  const browser = watchBrowser(page);
  await page.goto("/keys/test/hoge");
  await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("hello");
  await page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "/", exact: true }).click();
  await expect(page).toHaveURL(/\/keys\/~$/);
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/");
  await expect(folderContents(page).getByRole("link", { name: "registry/", exact: true })).toBeVisible();
  await expect(page.getByText("the key parameter is required")).toHaveCount(0);
  await expect(page.getByText("No such key")).toHaveCount(0);
  expect(browser.keyRequests.every((url) => url.includes("key=/test/hoge"))).toBe(true);
  expect(browser.errors).toEqual([]);
});

test("a folder view asks /api/key for nothing and a key view still reads its key", async ({ page }) => {
  const browser = watchBrowser(page);
  await page.goto("/keys/registry/pods");
  await expect(page.getByText(/^A folder: no key has this exact name/)).toBeVisible();
  await expect(folderContents(page).getByRole("link", { name: "shop/", exact: true })).toBeVisible();
  await folderContents(page).getByRole("link", { name: "shop/", exact: true }).click();
  await expect(page).toHaveURL(/\/keys\/registry\/pods\/shop$/);
  // A folder of Pods opens as kubectl's Pod table.
  await page.getByRole("table", { name: "Pod table" }).getByRole("link", { name: "web-7c9d8f6b5-x2x9k", exact: true }).click();
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText("phase: Running");
  expect(browser.keyRequests.map((url) => decodeURIComponent(new URL(url).searchParams.get("key") ?? ""))).toEqual([
    "/registry/pods/shop/web-7c9d8f6b5-x2x9k",
  ]);

  // A name that is neither: said so, without a 404 in the console.
  await page.goto("/keys/test/no-such-name");
  await expect(page.getByText("No such key")).toBeVisible();
  expect(browser.errors).toEqual([]);
});

test("names past the first page of a long level open as folder or key, with no 404 in the console", async ({ page }) => {
  const browser = watchBrowser(page);
  const folder = `${WIDE_LEVEL}${wideLevelName(240)}`;
  const key = `${WIDE_LEVEL}${wideLevelName(241)}`;
  await page.goto(pageOf(folder));
  await expect(page.getByText(/^A folder: no key has this exact name/)).toBeVisible();
  await expect(folderContents(page).getByRole("link", { name: "x", exact: true })).toBeVisible();
  expect(browser.keyRequests).toEqual([]);
  await page.goto(pageOf(key));
  await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText(`the value of ${key}`);
  expect(browser.keyRequests).toHaveLength(1);
  expect(browser.errors).toEqual([]);
});

test("landing on a cluster with a defaultPrefix opens that folder", async ({ page }) => {
  const browser = watchBrowser(page);
  await page.goto("/keys?cluster=second");
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/second");
  await expect(folderContents(page).getByRole("link", { name: "only-here", exact: true })).toBeVisible();
  await page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "/", exact: true }).click();
  await expect(page).toHaveURL(/\/keys\/~\?cluster=second$/);
  await expect(folderContents(page).getByRole("link", { name: "second/", exact: true })).toBeVisible();
  expect(browser.errors).toEqual([]);
});
