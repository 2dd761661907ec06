import { expect, test } from "@playwright/test";
import type { ClusterDto } from "@/lib/api/dto";
import { formatManagerChange } from "@/lib/diff/managers";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";
import { secondEndpoint } from "../support/second-cluster";

// The change feed, the cluster page and leases, as a person uses them.

/** A revision's cell by its accessible name: the revision, then the time it happened when the archive knows it ("26 ≈ 11d ago"). */
const revisionCell = (revision: number) => new RegExp(`^${revision}(?!\\d)`);
/** The same cell's text, where the time follows the revision without a space ("26≈ 11d ago", "61s ago" for revision 6). */
const revisionText = (revision: number | string) => new RegExp(`^${revision}(?:(?:≈ )?\\S+ ago)?$`);

test("the change feed is a table of a prefix's changes with history's summaries, and each diff is one click away", async ({
  page,
  request,
}) => {
  const history = await historyOf(request, DEMO_KEYS.deployment);
  await page.goto("/changes?prefix=/registry/deployments/");
  const feed = page.getByRole("table", { name: "Changes" });
  await expect(feed.getByRole("columnheader")).toHaveText(["Revision", "Change", "Key", "Summary", "Diff"]);
  // One row per version of the Deployment, saying what history says of it.
  for (const entry of history) {
    const row = feed.getByRole("row").filter({ has: page.getByRole("cell", { name: revisionCell(entry.revision) }) });
    await expect(row.getByRole("cell")).toHaveText([
      revisionText(entry.revision),
      entry.version === 1 ? "created" : "PUT",
      DEMO_KEYS.deployment,
      // The summary, then the field managers that made the change.
      `${entry.summary!} by ${entry.managers!.map((change) => formatManagerChange(change)).join("; ")}`,
      entry.version === 1 ? "" : "diff",
    ]);
  }
  await expect(feed.getByRole("link", { name: DEMO_KEYS.deployment, exact: true })).toHaveCount(history.length);
  const rows = (await feed.getByRole("row").count()) - 1;
  await expect(page.getByRole("status", { name: "Range covered" })).toHaveText(new RegExp(`^Revisions \\d+–\\d+, ${rows} changes\\.$`));
  await expect(feed.getByText("spec.replicas: 2 → 5")).toBeVisible();
  // Written only when asked (ETCDLENS_SCREENSHOTS=1): the whole demo keyspace's feed, for the README.
  if (process.env.ETCDLENS_SCREENSHOTS) {
    await page.goto("/changes?prefix=/registry/");
    await expect(feed.getByText("status.phase: Pending → Running").first()).toBeVisible();
    await page.screenshot({ path: "e2e/screenshots/change-feed.png" });
    await page.goBack();
  }

  const [newest] = history;
  await feed.getByRole("link", { name: `diff revision ${newest.revision} of ${DEMO_KEYS.deployment} against the version before` }).click();
  await expect(page).toHaveURL(new RegExp(`rev=${newest.revision}&compare=${newest.revision - 1}`));
  const comparison = page.getByRole("region", { name: "Comparison" });
  await expect(comparison.getByRole("heading", { name: `Comparing revision ${newest.revision - 1} → ${newest.revision}` })).toBeVisible();
  await expect(comparison.getByRole("region", { name: "Changed fields" }).getByText(/spec\.replicas: 5 → 3/)).toBeVisible();
  await page.goBack();

  await page.getByLabel("Change type").selectOption("DELETE");
  await page.getByLabel("Prefix", { exact: true }).fill("/registry/configmaps/");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/\/changes\?prefix=%2Fregistry%2Fconfigmaps%2F&type=DELETE$/);
  await expect(feed.getByRole("link", { name: DEMO_KEYS.recreated, exact: true })).toHaveCount(1);
  await expect(feed.getByRole("row").filter({ hasText: DEMO_KEYS.recreated }).getByRole("cell")).toHaveText([
    revisionText("\\d+"),
    "DELETE",
    DEMO_KEYS.recreated,
    "deleted",
    "",
  ]);
});

test("the change feed reaches back past etcd's compaction into the archive, each change with its summary", async ({ page, request }) => {
  // On the second cluster, which other tests compact too: compacting the demo's would take history away.
  const { Etcd3 } = await import("etcd3");
  const writer = new Etcd3({ hosts: secondEndpoint() });
  const rev = (response: { header: { revision: string } }) => Number(response.header.revision);
  try {
    const created = rev(await writer.put("/second/feed/web").value('{"replicas":1}').exec());
    const compaction = rev(await writer.put("/second/feed/web").value('{"replicas":2}').exec());
    await writer.kv.compact({ revision: String(compaction), physical: true });
    const updated = rev(await writer.put("/second/feed/web").value('{"replicas":3}').exec());
    // The dashboard records from its boot (instrumentation.ts): its archive holds the writes etcd compacted.
    await expect
      .poll(async () => ((await (await request.get("/api/cluster?cluster=second")).json()) as ClusterDto).archive.coverage?.lastRevision)
      .toBeGreaterThanOrEqual(updated);

    await page.goto("/changes?prefix=/second/feed/&cluster=second");
    const header = page.getByRole("status", { name: "Range covered" });
    await expect(header).toHaveText(new RegExp(`^Revisions \\d+–${updated}, 3 changes\\.`));
    const feed = page.getByRole("table", { name: "Changes" });
    const rowAt = (revision: number) => feed.getByRole("row").filter({ has: page.getByRole("cell", { name: revisionCell(revision) }) });
    await expect(rowAt(updated).getByRole("cell")).toHaveText([
      revisionText(updated),
      "PUT",
      "/second/feed/web",
      "replicas: 2 → 3",
      "diff",
    ]);
    await expect(rowAt(compaction).getByRole("cell")).toHaveText([
      revisionText(compaction),
      "PUT",
      "/second/feed/web",
      "replicas: 1 → 2",
      "diff",
    ]);
    await expect(rowAt(created).getByRole("cell")).toHaveText([revisionText(created), "created", "/second/feed/web", "created", ""]);

    // A range that starts after the compaction is etcd's alone.
    await page.goto(`/changes?prefix=/second/feed/&from=${updated}&cluster=second`);
    await expect(header).toHaveText(`Revisions ${updated}–${updated}, 1 change.`);
  } finally {
    writer.close();
  }
});

test("the cluster page shows the member, the endpoint's status and no alarms", async ({ page }) => {
  await page.goto("/cluster");
  const members = page.getByRole("table", { name: "Members" });
  await expect(members.getByRole("row")).toHaveCount(2);
  await expect(members).toContainText("etcdlens");
  const endpoints = page.getByRole("table", { name: "Endpoints" });
  await expect(endpoints).toContainText("up");
  await expect(endpoints).toContainText("leader");
  await expect(page.getByText("No active alarms.")).toBeVisible();
  // The dashboard records from its boot into its SQLite file (global setup gives it a temp folder).
  await expect(page.getByText(/^Archive: recording since .+ \(SQLite\) · revisions \d+ to \d+$/)).toBeVisible();
});

test("a key's lease links to the lease, which lists the key", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.masterLease));
  const lease = page.getByTestId("kv-lease").getByRole("link");
  await expect(lease).toBeVisible();
  await lease.click();
  await expect(page.getByRole("heading", { name: /^Lease / })).toBeVisible();
  await expect(page.getByRole("list", { name: "Attached keys" }).getByRole("link", { name: DEMO_KEYS.masterLease })).toBeVisible();
  await expect(page.getByTestId("lease-remaining")).toHaveText(/^\d+ s$/);

  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Leases" }).click();
  await expect(page.getByText("1 live leases.")).toBeVisible();
});

test("a live change feed grows at the top as etcd changes", async ({ page }) => {
  const { Etcd3 } = await import("etcd3");
  const { readState } = await import("../support/state");
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    await page.goto("/changes?prefix=/demo/feed/");
    await expect(page.getByRole("status", { name: "Range covered" })).toContainText(", 0 changes");
    await page.getByRole("button", { name: "Live", exact: true }).click();
    await expect(page.getByRole("status", { name: "Live status" })).toContainText("Live · up to revision");
    const feed = page.getByRole("table", { name: "Changes" });
    const rowAt = (revision: number) =>
      feed.getByRole("row").filter({ has: page.getByRole("cell", { name: String(revision), exact: true }) });
    // Live rows arrive without values; their summaries are read afterwards, as for any row.
    const created = Number((await writer.put("/demo/feed/arrived").value('{"replicas":1}').exec()).header.revision);
    await expect(rowAt(created).getByRole("cell")).toHaveText([String(created), "created", "/demo/feed/arrived", "created", ""]);
    const updated = Number((await writer.put("/demo/feed/arrived").value('{"replicas":2}').exec()).header.revision);
    await expect(rowAt(updated).getByRole("cell")).toHaveText([String(updated), "PUT", "/demo/feed/arrived", "replicas: 1 → 2", "diff"]);
    await expect(page.getByRole("status", { name: "Range covered" })).toContainText(`–${updated}, 2 changes`);
  } finally {
    writer.close();
  }
});

test("the jump box completes level by level from etcd and opens the key", async ({ page }) => {
  await page.goto("/keys");
  const box = page.getByRole("combobox", { name: "Go to key" });
  await box.fill("/registry/dep");
  const suggestions = page.getByRole("listbox", { name: "Suggestions" });
  await suggestions.getByRole("option", { name: /^\/registry\/deployments\// }).click();
  await expect(box).toHaveValue("/registry/deployments/");
  await suggestions.getByRole("option", { name: /^\/registry\/deployments\/shop\// }).click();
  await suggestions.getByRole("option", { name: "/registry/deployments/shop/web" }).click();
  await expect(page).toHaveURL(/\/keys\/registry\/deployments\/shop\/web$/);
  await expect(page.getByTestId("kv-version")).toHaveText("3");

  await box.fill("/test/piyo2");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/keys\/test\/piyo2$/);
  await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("world 2");
});

test("a folder's listing narrows to the names that contain the filter", async ({ page }) => {
  await page.goto("/keys/test");
  const contents = page.getByRole("list", { name: "Folder contents" });
  await expect(contents.getByRole("listitem")).toHaveCount(4);
  await page.getByRole("textbox", { name: "Filter this folder" }).fill("piyo");
  await expect(contents.getByRole("listitem")).toHaveCount(3);
  await page.getByRole("textbox", { name: "Filter this folder" }).fill("yo2");
  await expect(contents.getByRole("link", { name: "piyo2" })).toBeVisible();
  await expect(contents.getByRole("listitem")).toHaveCount(1);
});
