import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { secondEndpoint } from "../support/second-cluster";

// The tree at a revision etcd has compacted (time travel), on the second cluster, which the
// dashboard records from its boot: a link to ?rev= copied before the compaction still shows the
// tree as it was then, read from the archive and saying so: a key deleted since is there, one
// created since is not.

test("the tree at a revision etcd compacted shows the keys of that revision, from the archive", async ({ page, request }) => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  const rev = (response: { header: { revision: string } }) => Number(response.header.revision);
  try {
    await writer.put("/second/tree/kept").value("1").exec();
    const then = rev(await writer.put("/second/tree/gone").value("1").exec());
    await writer.delete().key("/second/tree/gone").exec();
    const last = rev(await writer.put("/second/tree/later").value("1").exec());
    await expect
      .poll(async () => (await (await request.get("/api/cluster?cluster=second")).json()).archive?.coverage?.lastRevision ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(last);
    await writer.kv.compact({ revision: String(last), physical: true });

    await page.goto(pageOf("/second/tree/kept", { rev: then, cluster: "second" }));
    const tree = page.getByRole("tree", { name: "Keys" });
    await expect(tree.getByRole("treeitem", { name: "kept", exact: true })).toBeVisible();
    await expect(tree.getByRole("treeitem", { name: "gone", exact: true })).toBeVisible();
    await expect(tree.getByRole("treeitem", { name: "later", exact: true })).toHaveCount(0);
    await expect(page.getByRole("navigation", { name: "Key tree" }).getByTestId("read-from")).toContainText("from the archive");
    await expect(page.getByText("has been compacted")).toHaveCount(0);

    // At the current revision the tree is etcd's: the deleted key gone, the later one there.
    await page.goto(pageOf("/second/tree/kept", { cluster: "second" }));
    await expect(tree.getByRole("treeitem", { name: "later", exact: true })).toBeVisible();
    await expect(tree.getByRole("treeitem", { name: "gone", exact: true })).toHaveCount(0);
  } finally {
    writer.close();
  }
});
