import { expect, test } from "@playwright/test";
import { historyOf, pageOf } from "../support/api";

// The history pane says when each revision happened. The e2e dashboard starts recording after the
// demo seed, so the seed's revisions are etcd's retained history, timed by estimate from the clocks
// in their values: a node Lease's renewals by their renewTime (the demo's cluster clock starts at
// 2026-11-20T09:00:00Z and node-1 renews every 10 s of it, twelve times).

const LEASE = "/registry/leases/kube-node-lease/node-1";

test("the history pane shows each revision's time, ≈ when estimated from the objects' own clocks", async ({ page, request }) => {
  await expect.poll(async () => (await historyOf(request, LEASE))[0]?.timeEstimated, { timeout: 30_000 }).toBe(true);
  const [newest] = await historyOf(request, LEASE);
  // The twelfth renewal, at 11/6 minutes of cluster time.
  expect(newest.time).toBe("2026-11-20T09:01:50.000Z");
  await page.goto(pageOf(LEASE));
  const stamp = page.getByRole("list", { name: "Revisions" }).locator(`time[datetime="${newest.time}"]`).first();
  await expect(stamp).toHaveText(/^≈ \d+\w+ ago$/);
  await expect(stamp).toHaveAttribute("title", /^≈ .*\(estimated from the times Kubernetes wrote into its objects\)$/);
});

test("a page link with at=<time> opens the revision at that time", async ({ page, request }) => {
  await expect.poll(async () => (await historyOf(request, LEASE))[0]?.timeEstimated, { timeout: 30_000 }).toBe(true);
  // node-1's seventh renewal is at 09:01:00 of cluster time, its eighth at 09:01:10.
  const renewal = (await historyOf(request, LEASE)).find((item) => item.time === "2026-11-20T09:01:00.000Z");
  expect(renewal).toBeDefined();
  await page.goto(pageOf(LEASE, { at: "2026-11-20T09:01:05Z" }));
  await expect(page.getByTestId("kv-modRevision")).toHaveText(String(renewal!.revision));
  await expect(page.getByTestId("kv-written")).toHaveText(/^≈ \d+\w+ ago$/);
});
