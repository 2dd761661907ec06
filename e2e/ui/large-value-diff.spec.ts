import { expect, test, type Locator, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf, param } from "../support/api";

// The large-value viewer (the demo's 1.3 MB JSON inventory) and the diff's layouts, in Chromium
// against the production build: select-all and copy take the whole value, its search finds what is
// far off screen, split-diff lines never wrap inside a token, the unified view reads like
// `git diff`, and the explorer's columns can be resized and stay so.

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const comparison = (page: Page) => page.getByRole("region", { name: "Comparison" });

test("large value: Ctrl+A and Ctrl+C copy all of it, the browser's find sees its last line, its search counts and shows matches near the end", async ({
  page,
  request,
}) => {
  const raw = await (await request.get(`/api/raw?key=${param(DEMO_KEYS.large)}`)).text();
  const shown = JSON.stringify(JSON.parse(raw), null, 2);
  expect(shown.length).toBeGreaterThan(1_000_000);

  await page.goto(pageOf(DEMO_KEYS.large));
  const viewer = page.getByRole("region", { name: "Value" });
  await expect(viewer).toContainText('"sku": "SKU-000000"');
  await viewer.click();
  await page.keyboard.press("Control+A");
  await expect(page.getByRole("status").filter({ hasText: "characters selected" })).toHaveText(
    `All ${shown.length.toLocaleString("en-US")} characters selected: Ctrl+C copies them.`,
  );
  await page.keyboard.press("Control+C");
  await expect.poll(async () => (await readClipboard(page)).length).toBe(shown.length);
  expect(await readClipboard(page)).toBe(shown);

  // What the browser's own find (Ctrl+F) searches: the page's text, here including the last line.
  await page.evaluate(() => window.getSelection()?.removeAllRanges());
  expect(await page.evaluate(() => (window as unknown as { find: (text: string) => boolean }).find('"sku": "SKU-008999"'))).toBe(true);

  const search = page.getByRole("searchbox", { name: "Search the value" });
  const status = page.getByRole("search", { name: "Search the value" }).getByRole("status");
  const match = viewer.locator("mark");
  // The character after the match tells which of SKU-008990 … SKU-008999 it is.
  const digitAfter = () => match.evaluate((element) => element.nextSibling?.textContent?.[0]);
  await search.fill("sku-00899");
  await expect(status).toHaveText("1 of 10");
  await expect(match).toHaveText("SKU-00899");
  await expect(match).toBeInViewport();
  // Scrolled to the middle of the viewer, not just somewhere inside it.
  const [frame, box] = [(await viewer.boundingBox())!, (await match.boundingBox())!];
  expect(Math.abs(box.y + box.height / 2 - (frame.y + frame.height / 2))).toBeLessThan(frame.height / 4);
  expect(await digitAfter()).toBe("0");
  await search.press("Enter");
  await expect(status).toHaveText("2 of 10");
  expect(await digitAfter()).toBe("1");
  await page.getByRole("button", { name: "Previous match" }).click();
  await page.getByRole("button", { name: "Previous match" }).click();
  await expect(status).toHaveText("10 of 10");
  expect(await digitAfter()).toBe("9");
  await expect(match).toBeInViewport();
  await search.fill("no such text anywhere");
  await expect(status).toHaveText("No match");
  await expect(match).toHaveCount(0);
});

/** Whether the text `token` inside `cell` is laid out on one line (one line box top for all of it). */
async function linesTakenBy(cell: Locator, token: string): Promise<number> {
  return cell.evaluate((element, wanted) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let text = "";
    const nodes: { node: Text; start: number }[] = [];
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      nodes.push({ node, start: text.length });
      text += node.data;
    }
    const from = text.indexOf(wanted);
    if (from < 0) throw new Error(`"${wanted}" is not in the cell`);
    const locate = (offset: number) => {
      const hit = [...nodes].reverse().find((item) => item.start <= offset)!;
      return [hit.node, offset - hit.start] as const;
    };
    range.setStart(...locate(from));
    range.setEnd(...locate(from + wanted.length - 1));
    range.setEnd(range.endContainer, range.endOffset + 1);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  }, token);
}

test.describe("at 1024 px wide", () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("split diff: a uid and a container ID stay on one line, and both sides scroll sideways together", async ({ page, request }) => {
    const history = await historyOf(request, DEMO_KEYS.pod);
    const [newest, , oldest] = history;
    const pod = (await (await request.get(`/api/key?key=${param(DEMO_KEYS.pod)}`)).json()) as {
      value: { object: { metadata: { ownerReferences: { uid: string }[] } } };
    };
    const uid = pod.value.object.metadata.ownerReferences[0].uid;

    await page.goto(pageOf(DEMO_KEYS.pod, { rev: newest.revision, compare: oldest.revision }));
    const table = comparison(page).getByRole("table", { name: "Split diff" });
    await expect(table.getByRole("insertion").first()).toBeVisible();
    const unfold = table.getByRole("button", { name: /^Show \d+ unchanged lines?$/ });
    while ((await unfold.count()) > 0) await unfold.first().click();

    for (const token of [uid, "default-scheduler", "containerd://"]) {
      const cell = table.getByRole("cell").filter({ hasText: token }).last();
      expect(await linesTakenBy(cell, token), `${token} is split over lines`).toBe(1);
      expect((await cell.boundingBox())!.height, `the line holding ${token} wraps`).toBeLessThanOrEqual(21);
    }

    const older = page.getByRole("group", { name: "Scroll the older side sideways" });
    const newer = page.getByRole("group", { name: "Scroll the newer side sideways" });
    const scrollLeft = (bar: Locator) => bar.evaluate((element) => element.scrollLeft);
    const box = (await table.getByRole("cell").filter({ hasText: "default-scheduler" }).last().boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    await page.mouse.wheel(120, 0);
    await expect.poll(() => scrollLeft(older)).toBeGreaterThan(0);
    expect(await scrollLeft(newer)).toBe(await scrollLeft(older));
  });

  test("unified diff: hunks under @@ headers whose numbers match their lines, -/+ prefixes, and a collapsed run that opens", async ({
    page,
    request,
  }) => {
    const history = await historyOf(request, DEMO_KEYS.pod);
    const [newest, , oldest] = history;
    await page.goto(pageOf(DEMO_KEYS.pod, { rev: newest.revision, compare: oldest.revision, view: "unified" }));
    const table = comparison(page).getByRole("table", { name: "Unified diff" });
    const headers = table.getByText(/^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/);
    await expect(headers.first()).toBeVisible();

    // The line right under the first header is the one the header's old and new ranges start at.
    const firstHunk = table
      .locator("tbody")
      .filter({ has: page.locator("th") })
      .first();
    const [, oldStart, newStart] = /^@@ -(\d+)(?:,\d+)? \+(\d+)/.exec((await headers.first().textContent())!)!;
    const firstLine = firstHunk.locator("tr").nth(1).locator("td");
    await expect(firstLine.nth(0)).toHaveText(oldStart);
    await expect(firstLine.nth(1)).toHaveText(newStart);

    const removed = table
      .locator("tr")
      .filter({ has: page.getByRole("deletion") })
      .first();
    const added = table
      .locator("tr")
      .filter({ has: page.getByRole("insertion") })
      .first();
    await expect(removed.locator("td").nth(2)).toHaveText("-");
    await expect(added.locator("td").nth(2)).toHaveText("+");
    await expect(table.locator("tr").filter({ hasText: "phase: Running" }).locator("td").nth(2)).toHaveText("+");

    const gaps = table.getByRole("button", { name: /^Show \d+ unchanged lines?$/ });
    const gapsBefore = await gaps.count();
    expect(gapsBefore).toBeGreaterThan(0);
    const rowsBefore = await table.locator("tr").count();
    const opened = Number(/\d+/.exec((await gaps.first().textContent())!)![0]);
    await gaps.first().click();
    await expect(gaps).toHaveCount(gapsBefore - 1);
    // The opened lines are shown; the gap's row goes, and so does a header if two hunks joined.
    const rowsAfter = await table.locator("tr").count();
    expect(rowsAfter - rowsBefore).toBeGreaterThanOrEqual(opened - 2);
    expect(rowsAfter - rowsBefore).toBeLessThanOrEqual(opened - 1);
  });

  test("the columns: dragging the history's separator or moving it with the arrow keys resizes it, and a reload keeps the width", async ({
    page,
  }) => {
    await page.goto(pageOf(DEMO_KEYS.deployment));
    const history = page.getByRole("complementary", { name: "History" });
    const separator = page.getByRole("separator", { name: "Resize the history" });
    await expect(history.getByRole("list", { name: "Revisions" })).toBeVisible();
    const width = async () => Math.round((await history.boundingBox())!.width);
    const before = await width();

    const bar = (await separator.boundingBox())!;
    await page.mouse.move(bar.x + bar.width / 2, bar.y + 200);
    await page.mouse.down();
    await page.mouse.move(bar.x + bar.width / 2 - 50, bar.y + 200, { steps: 4 });
    await page.mouse.move(bar.x + bar.width / 2 - 100, bar.y + 200, { steps: 4 });
    await page.mouse.up();
    const dragged = await width();
    expect(Math.abs(dragged - (before + 100))).toBeLessThanOrEqual(2);
    await expect(separator).toHaveAttribute("aria-valuenow", String(dragged));

    await separator.focus();
    await page.keyboard.press("ArrowLeft");
    await expect.poll(width).toBe(dragged + 16);

    await page.reload();
    await expect(history.getByRole("list", { name: "Revisions" })).toBeVisible();
    await expect.poll(width).toBe(dragged + 16);
  });
});
