import { expect, test } from "@playwright/test";

// /search on the e2e dashboard's seeded data: a field condition streams in the demo's Pod with a
// progress line, a result opens the key at the searched revision, and a search typed into the box
// is put in the URL, finds names with ":", "+", spaces and non-ASCII, and opens them.

const results = (page: import("@playwright/test").Page) => page.getByRole("list", { name: "Search results" });

test("a field condition finds the demo's Pod and opens it at the searched revision", async ({ page }) => {
  await page.goto("/keys");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search$/);
  await page.goto(`/search?prefix=${encodeURIComponent("/registry/pods/")}&q=${encodeURIComponent("spec.containers[*].image=nginx:1.27")}`);
  const pod = results(page).getByRole("link", { name: "/registry/pods/shop/web-7c9d8f6b5-x2x9k" });
  await expect(pod).toBeVisible();
  const status = page.getByRole("status").filter({ hasText: "keys scanned" });
  await expect(status).toHaveText(/^\d+ match(es)?, (\d+) of \2 keys scanned at revision \d+$/);
  const revision = /at revision (\d+)/.exec((await status.textContent()) ?? "")![1];
  await expect(results(page).getByRole("listitem").first()).toContainText("spec.containers[*].image: nginx:1.27");
  await pod.click();
  await expect(page).toHaveURL(new RegExp(`/keys/registry/pods/shop/web-7c9d8f6b5-x2x9k\\?rev=${revision}$`));
});

test("a search typed in the box is in the URL and finds odd names", async ({ page }) => {
  await page.goto("/search");
  await page.getByLabel("Under prefix").fill("/odd-names/");
  await page.getByLabel("Query").fill("/(a+)+$/");
  await expect(page.getByRole("alert").filter({ hasText: "exponential" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Search" })).toBeDisabled();
  await page.getByLabel("Query").fill('"the value of" /[:+ ü]/');
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search\?prefix=%2Fodd-names%2F&q=/);
  for (const name of ["/odd-names/colon:name", "/odd-names/a+b", "/odd-names/with space", "/odd-names/ünïcødé/日本語"]) {
    await expect(results(page).getByRole("link", { name, exact: true })).toBeVisible();
  }
  await page.reload();
  await results(page).getByRole("link", { name: "/odd-names/a+b", exact: true }).click();
  await expect(page.getByText("the value of /odd-names/a+b")).toBeVisible();
});
