import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { pageOf } from "../support/api";
import { secondEndpoint } from "../support/second-cluster";

// One tab, two clusters, one cache: the key /test/hoge is "hello" on the default cluster and
// something else on the second one, and /test/piyo exists only on the default cluster. Every
// state the page ever paints is recorded (a MutationObserver, without reloads), so data of one
// cluster shown under the other's name even for a single frame fails the test.

const SECOND_VALUE = "hoge as the second cluster stores it";

type Snapshot = { cluster: string; url: string; tree: string; values: string[] };

declare global {
  interface Window {
    __paintedViews?: Snapshot[];
  }
}

async function recordPaintedViews(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Snapshot[] = [];
    window.__paintedViews = seen;
    const record = () => {
      const select = document.querySelector<HTMLSelectElement>('select[aria-label="Cluster"]');
      seen.push({
        cluster: select?.value ?? "",
        url: location.href,
        tree: document.querySelector('[role="tree"][aria-label="Keys"]')?.textContent ?? "",
        values: [...document.querySelectorAll('[aria-label="Value"]')].map((element) => element.textContent ?? ""),
      });
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    record();
  });
}

async function paintedViews(page: Page): Promise<Snapshot[]> {
  const views = await page.evaluate(() => window.__paintedViews);
  // Undefined would mean the page was reloaded somewhere and the record is lost.
  expect(views, "the page was reloaded: the recorder is gone").toBeDefined();
  return views!;
}

async function jumpTo(page: Page, key: string): Promise<void> {
  const box = page.getByRole("combobox", { name: "Go to key" });
  await box.fill(key);
  await box.press("Enter");
}

// Back through the browser's history until the URL matches (folder pages in between).
async function goBackTo(page: Page, url: RegExp): Promise<void> {
  for (let step = 0; step < 5 && !url.test(page.url()); step += 1) {
    const before = page.url();
    await page.goBack();
    // A same-document step back may resolve before the address changes.
    await page.waitForURL((address) => address.href !== before);
  }
  await expect(page).toHaveURL(url);
}

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();

test.beforeAll(async () => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  try {
    await writer.put("/test/hoge").value(SECOND_VALUE).exec();
  } finally {
    writer.close();
  }
});

test.afterAll(async () => {
  const writer = new Etcd3({ hosts: secondEndpoint() });
  try {
    await writer.delete().key("/test/hoge").exec();
  } finally {
    writer.close();
  }
});

test("switching cluster and back, by the switcher, links and the back button, never paints one cluster's data under the other's name", async ({
  page,
}) => {
  await page.goto(pageOf("/test/hoge"));
  const switcher = page.getByRole("combobox", { name: "Cluster" });
  await expect(switcher).toHaveValue("default");
  await expect(valueText(page)).toHaveText("hello");
  await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "registry" })).toBeVisible();
  await recordPaintedViews(page);

  await switcher.selectOption("second");
  await expect(page).toHaveURL(/\/keys\/second\?cluster=second$/);
  await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "only-here" })).toBeVisible();
  await jumpTo(page, "/test/hoge");
  await expect(page).toHaveURL(/\/keys\/test\/hoge\?cluster=second$/);
  await expect(valueText(page)).toHaveText(SECOND_VALUE);
  await jumpTo(page, "/test/piyo");
  await expect(page.getByText("No such key")).toBeVisible();

  await switcher.selectOption("default");
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "registry" })).toBeVisible();
  // Client-side, from the tree: the default cluster's value, cached since the first visit.
  await page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "test/", exact: true }).click();
  await page.getByRole("tree", { name: "Keys" }).getByRole("link", { name: "hoge", exact: true }).click();
  await expect(page).toHaveURL(/\/keys\/test\/hoge$/);
  await expect(valueText(page)).toHaveText("hello");
  await jumpTo(page, "/test/piyo");
  await expect(valueText(page)).toHaveText("world");

  // Back through the second cluster's pages, with both clusters' answers in the cache.
  await goBackTo(page, /\/keys\/test\/hoge$/);
  await expect(valueText(page)).toHaveText("hello");
  await goBackTo(page, /\/keys\/test\/piyo\?cluster=second$/);
  await expect(page.getByText("No such key")).toBeVisible();
  await goBackTo(page, /\/keys\/test\/hoge\?cluster=second$/);
  await expect(valueText(page)).toHaveText(SECOND_VALUE);

  const views = await paintedViews(page);
  const onSecond = views.filter((view) => view.cluster === "second");
  const onDefault = views.filter((view) => view.cluster === "default");
  expect(onSecond.length).toBeGreaterThan(0);
  expect(onDefault.length).toBeGreaterThan(0);
  for (const view of onSecond) {
    expect(view.tree, `the default cluster's tree painted under "second" at ${view.url}`).not.toContain("registry");
    expect(view.values, `a default cluster's value painted under "second" at ${view.url}`).not.toContain("hello");
    expect(view.values, `a default cluster's value painted under "second" at ${view.url}`).not.toContain("world");
  }
  for (const view of onDefault) {
    expect(view.tree, `the second cluster's tree painted under "default" at ${view.url}`).not.toContain("only-here");
    expect(view.values, `the second cluster's value painted under "default" at ${view.url}`).not.toContain(SECOND_VALUE);
  }
});
