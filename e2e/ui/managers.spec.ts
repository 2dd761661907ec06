import { expect, test } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";

// Who changed the demo Deployment, from its managedFields: applied with kubectl, scaled twice with
// `kubectl scale`, its status written by the controller manager. The history pane and the change
// feed name the managers of each version, the diff the owner of each field, and the feed filters
// by manager.

const scale = "kubectl · Update · scale: spec.replicas";

test("history, the diff and the change feed name the field managers, and the feed filters by one", async ({ page, request }) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  expect(history.map((entry) => entry.version)).toEqual([3, 2, 1]);
  const [newest, scaled, created] = history;

  await page.goto(pageOf(DEMO_KEYS.deployment));
  const entry = (revision: number) =>
    page
      .getByRole("list", { name: /^Lifecycle created at revision/ })
      .getByRole("listitem")
      .filter({ has: page.getByText(`rev ${revision}`, { exact: true }) });
  await expect(entry(newest.revision)).toContainText(`by ${scale}; kube-controller-manager · Update · status: status.observedGeneration`);
  await expect(entry(scaled.revision)).toContainText(`by ${scale}; kube-controller-manager · Update · status`);
  // The create names everyone present in the first version; the scale came later.
  await expect(entry(created.revision)).toContainText("by kubectl-client-side-apply · Update: metadata.labels, spec.replicas");
  await expect(entry(created.revision)).not.toContainText("kubectl · Update · scale");

  await page.getByRole("button", { name: `Compare revision ${newest.revision} with previous` }).click();
  const fields = page.getByRole("region", { name: "Comparison" }).getByRole("region", { name: "Changed fields" });
  await expect(fields.getByRole("listitem").filter({ hasText: "spec.replicas: 5 → 3" })).toContainText("owned by kubectl · Update · scale");
  await expect(fields.getByRole("listitem").filter({ hasText: "status.readyReplicas: 5 → 3" })).toContainText(
    "owned by kube-controller-manager · Update · status",
  );

  await page.goto("/changes?prefix=/registry/deployments/");
  const feed = page.getByRole("table", { name: "Changes" });
  // The revision's cell also carries its time when the archive knows it ("26 ≈ 11d ago").
  const row = (revision: number) =>
    feed.getByRole("row").filter({ has: page.getByRole("cell", { name: new RegExp(`^${revision}(?!\\d)`) }) });
  await expect(row(newest.revision)).toContainText(`by ${scale}`);
  await expect(row(created.revision)).toContainText("by kubectl-client-side-apply · Update");

  await page.getByLabel("Manager").fill("kubectl");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/\/changes\?prefix=%2Fregistry%2Fdeployments%2F&manager=kubectl$/);
  // Only the two scales: the create was kubectl-client-side-apply's, a different manager.
  await expect(feed.getByRole("row")).toHaveCount(3);
  await expect(row(newest.revision)).toBeVisible();
  await expect(row(scaled.revision)).toBeVisible();
  await expect(page.getByLabel("Manager")).toHaveValue("kubectl");

  await page.goto("/changes?prefix=/registry/deployments/&manager=kube-controller-manager");
  await expect(feed.getByRole("row")).toHaveCount(4);
  await page.goto("/changes?prefix=/registry/deployments/&manager=nobody-writes-this");
  await expect(page.getByText("No changes in this range.")).toBeVisible();
});
