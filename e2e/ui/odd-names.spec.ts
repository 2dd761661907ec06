import { expect, test, type Page } from "@playwright/test";
import { ODD_NAMES, RBAC_NAMES, type OddName } from "@/scripts/lib/odd-names";
import { pageOf } from "../support/api";

// Keys a URL cannot carry as they are (seeded by scripts/lib/odd-names.ts) open from the tree,
// from the jump box and from a pasted URL, and show their own value. The URLs go through
// `next start`, whose router hands the page its segments in its own percent-encoding: these
// tests are what holds the page's decoding to what the router really does.

const ALL: OddName[] = [...ODD_NAMES, ...RBAC_NAMES];

async function expectOpened(page: Page, name: OddName): Promise<void> {
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(name.display);
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText(name.seen);
}

/** Collects what the browser reports as errors: failed requests (a 404 of /api/key) and exceptions. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

test("every odd name opens from the tree, and the URL it lands on opens it in a fresh browser", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  const landed: [OddName, string][] = [];
  for (const name of ALL) {
    await page.goto("/keys");
    // Each step looks inside the folder just opened: "(empty name)" is listed in more than one.
    let level = page.getByRole("tree", { name: "Keys" });
    for (const folder of name.treePath.slice(0, -1)) {
      await level.getByRole("button", { name: `Expand ${folder}`, exact: true }).click();
      level = level.getByRole("treeitem", { name: folder, exact: true }).getByRole("group");
    }
    await level.getByRole("link", { name: name.treePath.at(-1), exact: true }).click();
    await expectOpened(page, name);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(pageOf(name.key));
    landed.push([name, page.url()]);
  }
  expect(errors).toEqual([]);

  const context = await browser.newContext();
  const fresh = await context.newPage();
  for (const [name, url] of landed) {
    await fresh.goto(url);
    await expectOpened(fresh, name);
  }
  await context.close();
});

test("every odd name opens from the jump box, picked from the suggestions or typed whole", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto("/keys");
  const box = page.getByRole("combobox", { name: "Go to key" });
  for (const name of ALL) {
    const typed = name.display.includes("\\x") ? name.display.slice(0, name.display.indexOf("\\x")) : name.display;
    await box.fill(typed);
    await page.getByRole("listbox", { name: "Suggestions" }).getByRole("option", { name: name.display, exact: true }).click();
    await expectOpened(page, name);
  }
  // Enter opens exactly what was typed (a typed trailing "/" asks for the folder instead).
  for (const name of ALL.filter((entry) => !entry.display.includes("\\x") && !entry.display.endsWith("/"))) {
    await box.fill(name.display);
    await box.press("Escape");
    await box.press("Enter");
    await expectOpened(page, name);
  }
  expect(errors).toEqual([]);
});

test("plain percent-encoded URLs, as an address bar or another tool writes them, open the key", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchConsole(page);
  const byKey = (key: string) => ALL.find((name) => name.key.equals(Buffer.from(key)))!;
  const cases: [string, OddName][] = [
    ["/keys/registry/clusterroles/system:aggregate-to-admin", byKey("/registry/clusterroles/system:aggregate-to-admin")],
    ["/keys/registry/clusterroles/system%3Aaggregate-to-view", byKey("/registry/clusterroles/system:aggregate-to-view")],
    ["/keys/registry/clusterroles/system%3aaggregate-to-view", byKey("/registry/clusterroles/system:aggregate-to-view")],
    ["/keys/registry/clusterrolebindings/system%3Anode-proxier", byKey("/registry/clusterrolebindings/system:node-proxier")],
    ["/keys/odd-names/with%20space", byKey("/odd-names/with space")],
    ["/keys/odd-names/q%3Fmark", byKey("/odd-names/q?mark")],
    ["/keys/odd-names/pct%2541", byKey("/odd-names/pct%41")],
    ["/keys/odd-names/hash%23tag", byKey("/odd-names/hash#tag")],
    ["/keys/odd-names/a+b", byKey("/odd-names/a+b")],
    ["/keys/odd-names/a%2Bb", byKey("/odd-names/a+b")],
    ["/keys/odd-names/colon:name", byKey("/odd-names/colon:name")],
    ["/keys/odd-names/say%20%22hi%22", byKey('/odd-names/say "hi"')],
    ["/keys/odd-names/it's", byKey("/odd-names/it's")],
    ["/keys/odd-names/%3Ctag%3E%26amp%3B", byKey("/odd-names/<tag>&amp;")],
    ["/keys/odd-names/list%5B0%5D", byKey("/odd-names/list[0]")],
    ["/keys/odd-names/list[0]", byKey("/odd-names/list[0]")],
    ["/keys/odd-names/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E6%97%A5%E6%9C%AC%E8%AA%9E", byKey("/odd-names/ünïcødé/日本語")],
    ["/keys/odd-names/ünïcødé/日本語", byKey("/odd-names/ünïcødé/日本語")],
  ];
  for (const [url, name] of cases) {
    await page.goto(url);
    await expectOpened(page, name);
  }
  expect(errors).toEqual([]);
  await context.close();
});
