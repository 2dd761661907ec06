import { expect, test, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";

// A folder of one Kubernetes resource reads as `kubectl get` prints it: the demo's Pod folder as a
// Pods table now and at the revision where the Pod was still Pending, and its events sorted by a
// column. The list stays the default and one click away.

const table = (page: Page, kind: string) => page.getByRole("table", { name: `${kind} table` });
const showTable = (page: Page, kind: string) => page.getByRole("group", { name: "Show this folder as" }).getByRole("button", { name: `Table (${kind})` }).click();

test("a Pod folder shows kubectl's columns and the Pod's row, and its name opens the key", async ({ page }) => {
  await page.goto(pageOf("/registry/pods/shop"));
  await expect(page.getByRole("list", { name: "Folder contents" })).toBeVisible();
  await showTable(page, "Pod");
  const pods = table(page, "Pod");
  await expect(pods.getByRole("columnheader")).toHaveText(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]);
  const cells = pods.getByRole("row").nth(1).getByRole("cell");
  await expect(cells).toHaveText(["web-7c9d8f6b5-x2x9k", "1/1", "Running", "1", /^\d+(d|h|m|s)/, "10.244.1.7", "node-1"]);
  await expect(page.getByText(/AGE is counted from now/)).toBeVisible();
  await pods.getByRole("link", { name: "web-7c9d8f6b5-x2x9k" }).click();
  await expect(page).toHaveURL(/\/keys\/registry\/pods\/shop\/web-7c9d8f6b5-x2x9k$/);
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText("phase: Running");
});

test("at a past revision the table says what kubectl get said then", async ({ page, request }) => {
  const pending = (await historyOf(request, DEMO_KEYS.pod)).at(-1)!;
  expect(pending.version).toBe(1);
  await page.goto(pageOf("/registry/pods/shop", { rev: pending.revision }));
  await showTable(page, "Pod");
  // Written at minute 5 of the demo's clock, and nothing in the folder newer at that revision: age 0s.
  await expect(table(page, "Pod").getByRole("row").nth(1).getByRole("cell")).toHaveText(["web-7c9d8f6b5-x2x9k", "0/1", "Pending", "0", "0s", "<none>", "<none>"]);
  await expect(page.getByText(`AGE is what kubectl get said at revision ${pending.revision}`)).toBeVisible();
  await page.getByRole("button", { name: "List", exact: true }).click();
  await expect(page.getByRole("list", { name: "Folder contents" }).getByRole("link", { name: "web-7c9d8f6b5-x2x9k" })).toBeVisible();
});

test("events sort by any column, both ways", async ({ page }) => {
  await page.goto(pageOf("/registry/events/shop"));
  await showTable(page, "Event");
  const events = table(page, "Event");
  await expect(events.getByRole("columnheader")).toHaveText(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
  await expect(events.getByRole("row")).toHaveCount(4);
  // Rows are in the document in the order shown (the third cell of each is REASON).
  const reasons = () => events.getByRole("row").locator("[role=cell]:nth-child(3)").allInnerTexts();
  await events.getByRole("button", { name: "REASON" }).click();
  await expect.poll(reasons).toEqual(["BackOff", "Scheduled", "Started"]);
  await events.getByRole("button", { name: /REASON/ }).click();
  await expect.poll(reasons).toEqual(["Started", "Scheduled", "BackOff"]);
  // LAST SEEN ascending is the most recent first, as ages read.
  await events.getByRole("button", { name: "LAST SEEN" }).click();
  await expect.poll(reasons).toEqual(["BackOff", "Started", "Scheduled"]);
  await expect(events.getByRole("cell").filter({ hasText: "pod/web-7c9d8f6b5-x2x9k" })).toHaveCount(3);
});
