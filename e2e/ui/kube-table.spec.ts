import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";
import { readState } from "../support/state";

// A folder of one Kubernetes resource reads as `kubectl get` prints it: the demo's Pod folder as a
// Pods table now and at the revision where the Pod was still Pending, and its events sorted by a
// column. The table is what such a folder opens as; the list is one click away, and the choice is
// in the URL.

const table = (page: Page, kind: string) => page.getByRole("table", { name: `${kind} table` });
const showTable = (page: Page, kind: string) =>
  page
    .getByRole("group", { name: "Show this folder as" })
    .getByRole("button", { name: `Table (${kind})` })
    .click();

test("a Pod folder shows kubectl's columns and the Pod's row, and its name opens the key", async ({ page }) => {
  await page.goto(pageOf("/registry/pods/shop"));
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
  await expect(table(page, "Pod").getByRole("row").nth(1).getByRole("cell")).toHaveText([
    "web-7c9d8f6b5-x2x9k",
    "0/1",
    "Pending",
    "0",
    "0s",
    "<none>",
    "<none>",
  ]);
  await expect(page.getByText(`AGE is what kubectl get said at revision ${pending.revision}`)).toBeVisible();
  await page.getByRole("button", { name: "List", exact: true }).click();
  await expect(page.getByRole("list", { name: "Folder contents" }).getByRole("link", { name: "web-7c9d8f6b5-x2x9k" })).toBeVisible();
  await expect(page).toHaveURL(/[?&]show=list/);
  // The link opens the list again, in a fresh browser too; the table is one click away.
  const fresh = await page.context().browser()!.newPage();
  await fresh.goto(page.url());
  await expect(fresh.getByRole("list", { name: "Folder contents" }).getByRole("link", { name: "web-7c9d8f6b5-x2x9k" })).toBeVisible();
  await expect(table(fresh, "Pod")).toHaveCount(0);
  await showTable(fresh, "Pod");
  await expect(table(fresh, "Pod")).toBeVisible();
  await expect(fresh).not.toHaveURL(/show=/);
  await fresh.close();
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

/** A Pod as kube-apiserver stores it, created `ageMinutes` ago, with the given status. */
function podIn(name: string, ageMinutes: number, status: JsonObject, extra: { spec?: JsonObject; metadata?: JsonObject } = {}): JsonObject {
  const created = new Date(Date.now() - ageMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "states",
      uid: `00000000-0000-4000-8000-${String(ageMinutes).padStart(12, "0")}`,
      creationTimestamp: created,
      ...extra.metadata,
    },
    spec: { containers: [{ name: "app", image: "registry.example.com/app:1.4" }], nodeName: "node-2", ...extra.spec },
    status,
  };
}

test("a namespace of Pods in every state reads like kubectl get pods", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  const running = (restartCount: number) => ({
    name: "app",
    ready: true,
    restartCount,
    state: { running: { startedAt: "2026-11-20T09:00:00Z" } },
  });
  const ready = [{ type: "Ready", status: "True" }];
  const pods: Record<string, JsonObject> = {
    "api-6d4cf56db6-2xkq9": podIn("api-6d4cf56db6-2xkq9", 3 * 24 * 60 + 200, {
      phase: "Running",
      podIPs: [{ ip: "10.244.2.14" }],
      conditions: ready,
      containerStatuses: [running(0)],
    }),
    "api-6d4cf56db6-8hz7m": podIn("api-6d4cf56db6-8hz7m", 47, {
      phase: "Running",
      podIPs: [{ ip: "10.244.2.19" }],
      containerStatuses: [
        {
          name: "app",
          ready: false,
          restartCount: 6,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: new Date(Date.now() - 90_000).toISOString() } },
        },
      ],
    }),
    "db-migrate-x7k2p": podIn("db-migrate-x7k2p", 300, {
      phase: "Succeeded",
      podIPs: [{ ip: "10.244.1.30" }],
      containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }],
    }),
    "worker-5f7b9c-qq2ln": podIn(
      "worker-5f7b9c-qq2ln",
      2,
      {
        phase: "Pending",
        initContainerStatuses: [
          { name: "wait-for-db", ready: false, restartCount: 0, state: { running: { startedAt: "2026-11-20T09:00:00Z" } } },
        ],
      },
      { spec: { initContainers: [{ name: "wait-for-db", image: "busybox" }] } },
    ),
    "worker-5f7b9c-zt8rd": podIn(
      "worker-5f7b9c-zt8rd",
      90,
      { phase: "Running", podIPs: [{ ip: "10.244.1.8" }], conditions: ready, containerStatuses: [running(1)] },
      { metadata: { deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") } },
    ),
  };
  try {
    for (const [name, object] of Object.entries(pods))
      await writer
        .put(`/registry/pods/states/${name}`)
        .value(Buffer.from(encodeKubernetesObject(object)))
        .exec();
    await page.setViewportSize({ width: 1800, height: 560 });
    await page.goto(pageOf("/registry/pods/states"));
    await showTable(page, "Pod");
    const statuses = () => table(page, "Pod").getByRole("row").locator("[role=cell]:nth-child(3)").allInnerTexts();
    await expect.poll(statuses).toEqual(["Running", "CrashLoopBackOff", "Completed", "Init:0/1", "Terminating"]);
    await expect(table(page, "Pod").getByRole("row").nth(2).getByRole("cell")).toHaveText([
      "api-6d4cf56db6-8hz7m",
      "0/1",
      "CrashLoopBackOff",
      /^6 \(\d+s ago\)$/,
      "47m",
      "10.244.2.19",
      "node-2",
    ]);
    await table(page, "Pod").getByRole("button", { name: "RESTARTS" }).click();
    await table(page, "Pod")
      .getByRole("button", { name: /RESTARTS/ })
      .click();
    await expect.poll(statuses).toEqual(["CrashLoopBackOff", "Terminating", "Running", "Completed", "Init:0/1"]);
    // Written only when asked (ETCDLENS_SCREENSHOTS=1), so a test run leaves the tree clean.
    if (process.env.ETCDLENS_SCREENSHOTS) await page.screenshot({ path: "e2e/screenshots/pod-table.png" });

    // With Live on, the table follows etcd: the crashing Pod comes back up.
    await page.getByRole("button", { name: "Live", exact: true }).click();
    await expect(page.getByRole("status", { name: "Live status" })).toContainText("Live · up to revision");
    const recovered = podIn("api-6d4cf56db6-8hz7m", 47, {
      phase: "Running",
      podIPs: [{ ip: "10.244.2.19" }],
      conditions: ready,
      containerStatuses: [running(7)],
    });
    await writer
      .put("/registry/pods/states/api-6d4cf56db6-8hz7m")
      .value(Buffer.from(encodeKubernetesObject(recovered)))
      .exec();
    await expect.poll(statuses).toEqual(["Running", "Terminating", "Running", "Completed", "Init:0/1"]);
    await page.getByRole("button", { name: "Live", exact: true }).click();
  } finally {
    await writer.delete().prefix("/registry/pods/states/").exec();
    writer.close();
  }
});
