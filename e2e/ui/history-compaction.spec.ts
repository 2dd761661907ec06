import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { secondEndpoint } from "../support/second-cluster";

// History after a real compaction, on the second cluster (compacting the demo's etcd would take
// the other tests' history away), which the dashboard records into its archive from its boot: a
// link to a revision and a link to a comparison, copied before the compaction, still open the
// value and the diff afterwards, read from the archive and saying so; the history lists every
// version, each opening at its own revision; nothing is said to be compacted away.

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();
const onSecond = (key: string, search: Record<string, string | number> = {}) => pageOf(key, { ...search, cluster: "second" });

test("a revision link and a diff link copied before a compaction still open after it, from the archive", async ({ page, request }) => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  const rev = (response: { header: { revision: string } }) => Number(response.header.revision);
  const key = "/second/compaction/web";
  const fresh = "/second/compaction/fresh";
  try {
    const first = rev(await writer.put(key).value("one").exec());
    const second = rev(await writer.put(key).value("two").exec());
    const third = rev(await writer.put(key).value("three").exec());
    // The archive has recorded them before etcd throws them away.
    await expect
      .poll(async () => (await (await request.get("/api/cluster?cluster=second")).json()).archive?.coverage?.lastRevision ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(third);

    await page.goto(onSecond(key));
    await expect(valueText(page)).toHaveText("three");
    const revisions = page.getByRole("list", { name: "Revisions" });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await revisions.getByRole("button", { name: `Copy rev ${second} link` }).click();
    const revisionLink = await page.evaluate(() => navigator.clipboard.readText());
    expect(revisionLink).toMatch(new RegExp(`[?&]rev=${second}\\b`));
    await revisions.getByRole("button", { name: `Compare revision ${second} with previous` }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]compare=${first}\\b`));
    await page.getByRole("button", { name: "Copy diff link" }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).not.toBe(revisionLink);
    const diffLink = await page.evaluate(() => navigator.clipboard.readText());

    const compaction = rev(await writer.put("/second/compaction/filler").value("x").exec());
    await writer.kv.compact({ revision: String(compaction), physical: true });
    await writer.put(fresh).value("a").exec();
    await writer.put(fresh).value("b").exec();

    const teammate = await page.context().newPage();
    await teammate.goto(revisionLink);
    await expect(valueText(teammate)).toHaveText("two");
    await expect(teammate.getByTestId("kv-modRevision")).toHaveText(String(second));
    await expect(teammate.getByTestId("read-from").first()).toContainText("from the archive · recorded since");
    await expect(teammate.getByText("has been compacted")).toHaveCount(0);

    await teammate.goto(diffLink);
    const comparison = teammate.getByRole("region", { name: "Comparison" });
    await expect(comparison.getByRole("heading", { name: `Comparing revision ${first} → ${second}` })).toBeVisible();
    await expect(comparison.getByTestId("read-from")).toContainText("from the archive");
    await expect(comparison.getByText("one", { exact: true }).first()).toBeVisible();
    await expect(comparison.getByText("two", { exact: true }).first()).toBeVisible();
    await expect(teammate.getByText("has been compacted")).toHaveCount(0);
    await teammate.close();

    // The history lists every version at its own revision, and has lost nothing.
    await page.goto(onSecond(key));
    await expect(revisions.getByRole("link", { name: new RegExp(`rev ${third}\\b`) })).toBeVisible();
    for (const revision of [second, first]) {
      const link = revisions.getByRole("link", { name: new RegExp(`rev ${revision}\\b`) });
      await expect(link).toHaveAttribute("href", new RegExp(`[?&]rev=${revision}\\b`));
    }
    await expect(page.getByText(/History before revision \d+ was compacted/)).toHaveCount(0);
    await expect(page.getByTestId("read-from").first()).toBeVisible();
    await revisions.getByRole("link", { name: new RegExp(`rev ${first}\\b`) }).click();
    await expect(valueText(page)).toHaveText("one");

    // A key created after the compaction is etcd's alone, and a folder has no history of its own.
    await page.goto(onSecond(fresh));
    await expect(valueText(page)).toHaveText("b");
    await expect(page.getByRole("list", { name: "Revisions" }).getByRole("link")).toHaveCount(2);
    await expect(page.getByText(/History before revision \d+ was compacted/)).toHaveCount(0);

    await page.goto(onSecond("/second/compaction"));
    await expect(page.getByText("etcd holds no history for this key.")).toBeVisible();
  } finally {
    writer.close();
  }
});
