import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { secondEndpoint } from "../support/second-cluster";

// History after a real compaction, on the second cluster (compacting the demo's etcd would take
// the other tests' history away): a version whose revision is compacted but which etcd still holds
// at the compaction revision opens there, and the compaction notice is shown only for a key whose
// history reaches back past it.

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();
const onSecond = (key: string, search: Record<string, string | number> = {}) => pageOf(key, { ...search, cluster: "second" });

test("after a compaction, history opens a compacted revision's version at the compaction revision and says so only where history was lost", async ({
  page,
}) => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  const rev = (response: { header: { revision: string } }) => Number(response.header.revision);
  const key = "/second/compaction/web";
  const fresh = "/second/compaction/fresh";
  try {
    await writer.put(key).value("one").exec();
    const second = rev(await writer.put(key).value("two").exec());
    const compaction = rev(await writer.put("/second/compaction/filler").value("x").exec());
    const third = rev(await writer.put(key).value("three").exec());
    await writer.kv.compact({ revision: String(compaction), physical: true });
    await writer.put(fresh).value("a").exec();
    await writer.put(fresh).value("b").exec();

    await page.goto(onSecond(key));
    await expect(valueText(page)).toHaveText("three");
    const revisions = page.getByRole("list", { name: "Revisions" });
    await expect(revisions.getByRole("link", { name: new RegExp(`rev ${third}\\b`) })).toBeVisible();
    const compacted = revisions.getByRole("link", { name: new RegExp(`rev ${second}\\b`) });
    await expect(compacted).toHaveAttribute("href", new RegExp(`[?&]rev=${compaction}\\b`));
    await expect(page.getByRole("note")).toContainText(`History before revision ${compaction} was compacted.`);

    await compacted.click();
    await expect(page).toHaveURL(new RegExp(`[?&]rev=${compaction}\\b`));
    await expect(valueText(page)).toHaveText("two");
    await expect(page.getByTestId("kv-modRevision")).toHaveText(String(second));
    await expect(page.getByText("has been compacted")).toHaveCount(0);

    // Its copy-link button copies the same link that opens.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await revisions.getByRole("button", { name: `Copy rev ${second} link` }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const teammate = await page.context().newPage();
    await teammate.goto(copied);
    await expect(valueText(teammate)).toHaveText("two");
    await teammate.close();

    // A key created after the compaction lost nothing, and a folder has no history of its own.
    await page.goto(onSecond(fresh));
    await expect(valueText(page)).toHaveText("b");
    await expect(page.getByRole("list", { name: "Revisions" }).getByRole("link")).toHaveCount(2);
    await expect(page.getByText(/History before revision \d+ was compacted/)).toHaveCount(0);

    await page.goto(onSecond("/second/compaction"));
    await expect(page.getByText("etcd holds no history for this key.")).toBeVisible();
    await expect(page.getByText(/History before revision \d+ was compacted/)).toHaveCount(0);
  } finally {
    writer.close();
  }
});
