import { expect, test, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";

// What a person sees in the explorer, in a real Chromium against the production build.

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();

test("a deep link to an older revision shows that revision's value in a fresh browser", async ({ browser, request }) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  const oldest = history[history.length - 1];
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pageOf(DEMO_KEYS.deployment, { rev: oldest.revision }));
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(DEMO_KEYS.deployment);
  await expect(page.getByText(`As of revision ${oldest.revision}.`)).toBeVisible();
  await expect(page.getByTestId("kv-modRevision")).toHaveText(String(oldest.revision));
  await expect(valueText(page)).toContainText("replicas: 2");
  await expect(valueText(page)).not.toContainText("replicas: 3");
  await context.close();
});

test("click through tree → key → history → older version", async ({ page, request }) => {
  const history = await historyOf(request, DEMO_KEYS.pod);
  await page.goto("/keys");
  const tree = page.getByRole("tree", { name: "Keys" });
  await tree.getByRole("button", { name: "Expand registry" }).click();
  await tree.getByRole("button", { name: "Expand pods" }).click();
  await tree.getByRole("button", { name: "Expand shop" }).click();
  await tree.getByRole("link", { name: "web-7c9d8f6b5-x2x9k" }).click();

  await expect(page).toHaveURL(/\/keys\/registry\/pods\/shop\/web-7c9d8f6b5-x2x9k$/);
  await expect(valueText(page)).toContainText("phase: Running");
  await expect(page.getByTestId("kv-version")).toHaveText(String(history[0].version));

  const revisions = page.getByRole("list", { name: "Revisions" });
  await expect(revisions.getByRole("link")).toHaveCount(history.length);
  const first = history[history.length - 1];
  await revisions.getByRole("link", { name: new RegExp(`rev ${first.revision}\\b`) }).click();
  await expect(page).toHaveURL(new RegExp(`\\?rev=${first.revision}$`));
  await expect(valueText(page)).toContainText("phase: Pending");
  await expect(page.getByTestId("kv-modRevision")).toHaveText(String(first.revision));
  await expect(revisions.getByRole("link", { name: new RegExp(`rev ${first.revision}\\b`) })).toHaveAttribute("aria-current", "true");
});

test("a key whose name is not UTF-8 is reachable by clicking and by its URL", async ({ page, browser }) => {
  await page.goto(pageOf("/demo/binary/"));
  const tree = page.getByRole("tree", { name: "Keys" });
  await tree.getByRole("link", { name: "key-\\xff\\xfe\\x00A" }).click();
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText("/demo/binary/key-\\xff\\xfe\\x00A");
  await expect(valueText(page)).toContainText("a key whose name is not UTF-8");

  const url = page.url();
  expect(url).toContain("/keys/demo/binary/key-~ff~fe~00A");
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(url);
  await expect(valueText(fresh)).toContainText("a key whose name is not UTF-8");
  await context.close();
});

test("copy link copies a URL that opens the same key and revision elsewhere", async ({ browser, request }) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  const middle = history[1];
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await page.goto(pageOf(DEMO_KEYS.deployment, { rev: middle.revision }));
  await expect(valueText(page)).toContainText("replicas: 5");
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(page.url());

  const other = await browser.newContext();
  const teammate = await other.newPage();
  await teammate.goto(copied);
  await expect(teammate.getByTestId("kv-modRevision")).toHaveText(String(middle.revision));
  await expect(valueText(teammate)).toContainText("replicas: 5");
  await Promise.all([context.close(), other.close()]);
});

test("keys without a leading slash, binary values and YAML values each render their way", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.relative));
  expect(page.url()).toContain("/keys/~/foo");
  await expect(valueText(page)).toHaveText("bar");

  await page.goto(pageOf(DEMO_KEYS.binaryValue));
  await expect(page.getByRole("region", { name: "Hex dump" })).toContainText("00000000: 0b30");

  await page.goto(pageOf(DEMO_KEYS.yaml));
  // The format badge, not the "Export … YAML" download link beside it.
  await expect(page.getByText("YAML", { exact: true }).and(page.locator("span"))).toBeVisible();
  await expect(valueText(page)).toContainText("- a.example.com");
});

test("a large value renders at once, every line in the page, and scrolls to its last line", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.large));
  const region = page.getByRole("region", { name: "Value" });
  await expect(region).toContainText('"sku": "SKU-000000"');
  // Not only the lines on screen: the browser's find and select-all need the whole text.
  await expect(region).toContainText('"sku": "SKU-008999"');
  await region.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await expect(region.locator("pre").last()).toBeInViewport();
  // The last lines close the document.
  await expect(region.locator("pre").last()).toHaveText(/\]\s*\}$/);
});

test("a missing key and a malformed revision each get a clear message", async ({ page }) => {
  await page.goto(pageOf("/registry/pods/shop/does-not-exist"));
  await expect(page.getByRole("status").filter({ hasText: "No such key" })).toBeVisible();
  await page.goto(`${pageOf(DEMO_KEYS.pod)}?rev=abc`);
  await expect(page.getByRole("alert").filter({ hasText: "Bad revision in the link" })).toBeVisible();
});

test("a Secret's data is masked in the page", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.secret));
  await expect(page.getByText("2 Secret values masked")).toBeVisible();
  await expect(valueText(page)).not.toContainText(Buffer.from("correct horse battery staple").toString("base64"));
});

test("a revision where the key was deleted says so and links to the last value", async ({ page, request }) => {
  const history = await historyOf(request, DEMO_KEYS.recreated);
  const tombstone = history.find((item) => item.type === "DELETE")!;
  await page.goto(pageOf(DEMO_KEYS.recreated, { rev: tombstone.revision }));
  await expect(page.getByText(`Deleted at revision ${tombstone.revision}`)).toBeVisible();
  await page.getByRole("link", { name: `Show it just before the delete (revision ${tombstone.revision - 1})` }).click();
  await expect(page.getByTestId("kv-modRevision")).toHaveText(String(tombstone.revision - 1));
  await expect(valueText(page)).toContainText("checkout: v2");
});
