import { expect, test, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";

// Comparing two versions of the demo Deployment (scaled 2 → 5 → 3), as a person does it: pick two
// revisions in the history, read the change in both layouts, copy the link and open it elsewhere.

const comparison = (page: Page) => page.getByRole("region", { name: "Comparison" });

async function expectReplicaChange(page: Page, layout: "Split diff" | "Unified diff", from: string, to: string) {
  const table = comparison(page).getByRole("table", { name: layout });
  await expect(table.getByRole("deletion").filter({ hasText: from }).first()).toBeVisible();
  await expect(table.getByRole("insertion").filter({ hasText: to }).first()).toBeVisible();
  await expect(
    table
      .getByRole("row")
      .filter({ hasText: "replicas:" })
      .filter({ has: page.getByRole("insertion") })
      .first(),
  ).toBeVisible();
}

test("pick two revisions, see the replica change in split and unified views, share the link", async ({ browser, request }) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  expect(history.length).toBeGreaterThanOrEqual(3);
  const [newest, , oldest] = history;

  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await page.goto(pageOf(DEMO_KEYS.deployment));
  const revisions = page.getByRole("list", { name: "Revisions" });
  await expect(revisions.getByText("spec.replicas: 5 → 3")).toBeVisible();
  await page.getByRole("checkbox", { name: `Select revision ${oldest.revision} for comparison` }).check();
  await page.getByRole("checkbox", { name: `Select revision ${newest.revision} for comparison` }).check();
  await page.getByRole("button", { name: `Compare revisions ${oldest.revision} and ${newest.revision}` }).click();

  await expect(page).toHaveURL(new RegExp(`rev=${newest.revision}&compare=${oldest.revision}&view=split`));
  await expect(comparison(page).getByRole("heading", { name: `Comparing revision ${oldest.revision} → ${newest.revision}` })).toBeVisible();
  const fields = comparison(page).getByRole("region", { name: "Changed fields" });
  await expect(fields.getByText(/spec\.replicas: 2 → 3/)).toBeVisible();
  // Noise is hidden by default: the resource version is not listed as a change.
  await expect(fields.getByText("metadata.resourceVersion")).toHaveCount(0);
  await expectReplicaChange(page, "Split diff", "2", "3");

  await comparison(page).getByRole("button", { name: "Unified" }).click();
  await expect(page).toHaveURL(/view=unified/);
  await expectReplicaChange(page, "Unified diff", "2", "3");

  await page.getByRole("checkbox", { name: "Hide noise" }).click();
  await expect(page).toHaveURL(/noise=show/);
  await expect(page.getByRole("checkbox", { name: "Hide noise" })).not.toBeChecked();
  await expect(fields.getByText("metadata.resourceVersion")).toBeVisible();

  await comparison(page).getByRole("button", { name: "Copy diff link" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(page.url());

  const other = await browser.newContext();
  const teammate = await other.newPage();
  await teammate.goto(copied);
  await expect(
    comparison(teammate).getByRole("heading", { name: `Comparing revision ${oldest.revision} → ${newest.revision}` }),
  ).toBeVisible();
  await expect(comparison(teammate).getByRole("button", { name: "Unified" })).toHaveAttribute("aria-pressed", "true");
  await expect(teammate.getByRole("checkbox", { name: "Hide noise" })).not.toBeChecked();
  await expectReplicaChange(teammate, "Unified diff", "2", "3");
  await Promise.all([context.close(), other.close()]);
});

test("compare with previous, then step through versions with the keyboard", async ({ page, request }) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  const [newest, middle, oldest] = history;
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await page.getByRole("button", { name: `Compare revision ${middle.revision} with previous` }).click();
  await expect(comparison(page).getByRole("heading", { name: `Comparing revision ${oldest.revision} → ${middle.revision}` })).toBeVisible();
  await expectReplicaChange(page, "Split diff", "2", "5");

  await page.keyboard.press("]");
  await expect(comparison(page).getByRole("heading", { name: `Comparing revision ${middle.revision} → ${newest.revision}` })).toBeVisible();
  await expectReplicaChange(page, "Split diff", "5", "3");
  await page.keyboard.press("d");
  await expectReplicaChange(page, "Unified diff", "5", "3");
  await expect(page.getByLabel("Keyboard shortcuts")).toContainText("split / unified");
});

test("time travel: an older revision shows a banner with the current revision and the tree as it was", async ({ page, request }) => {
  const history = await historyOf(request, DEMO_KEYS.recreated);
  const tombstone = history.find((item) => item.type === "DELETE");
  expect(tombstone).toBeDefined();
  await page.goto(pageOf(DEMO_KEYS.recreated, { rev: tombstone!.revision }));
  const banner = page.getByRole("status").filter({ hasText: `As of revision ${tombstone!.revision}.` });
  await expect(banner).toContainText(/\(current \d+\)/);
  const revisions = page.getByRole("list", { name: "Revisions" });
  await expect(revisions.getByText("new incarnation")).toBeVisible();
  await expect(revisions.getByText("deleted", { exact: true }).first()).toBeVisible();
  await banner.getByRole("link", { name: "Back to now" }).click();
  await expect(page).toHaveURL(/\/keys\/registry\/configmaps\/shop\/feature-flags$/);
});
