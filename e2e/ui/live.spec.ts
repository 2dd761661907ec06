import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// Live mode: with "Live" on, the value, the history and the tree follow etcd without a reload,
// and the indicator says up to which revision. A view pinned to a revision is never live.

test("live mode follows changes to the open key and its level", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  try {
    await writer.put("/demo/live/counter").value("one").exec();
    await page.goto(pageOf("/demo/live/counter"));
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("one");
    await page.getByRole("button", { name: "Live", exact: true }).click();
    await expect(page.getByRole("button", { name: "Live", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("status", { name: "Live status" })).toContainText("Live · up to revision");

    const revision = Number((await writer.put("/demo/live/counter").value("two").exec()).header.revision);
    await expect(page.getByLabel("Value", { exact: true }).last()).toHaveText("two");
    await expect(page.getByTestId("kv-modRevision")).toHaveText(String(revision));
    await expect(page.getByRole("list", { name: "Revisions" }).getByText(`rev ${revision}`).first()).toBeVisible();
    await expect(page.getByRole("status", { name: "Live status" })).toContainText(new RegExp(`up to revision (\\d+)`));

    await writer.put("/demo/live/sibling").value("new").exec();
    await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "sibling" })).toBeVisible();

    await page.goto(pageOf("/demo/live/counter", { rev: revision }));
    await expect(page.getByRole("button", { name: "Live", exact: true })).toBeDisabled();
  } finally {
    writer.close();
  }
});
