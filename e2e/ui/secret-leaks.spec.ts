import { expect, test, type Page, type Response } from "@playwright/test";
import { findLeaks, readE2EShapes, type LeakHit, type SeededShape } from "@/scripts/lib/secret-shapes";
import { pageOf } from "../support/api";

// Every Secret shape (seeded by e2e/global-setup.ts through scripts/lib/secret-shapes.ts), opened
// in Chromium the way a person reads it: each tab of the value view, the history, the comparison
// of two revisions. Neither the page text nor any response the page received may hold a secret
// value in clear, base64 or hex; the ConfigMap control, seeded the same way, must be found.

const shapes = readE2EShapes();
const secretValues = shapes.filter((shape) => !shape.control).flatMap((shape) => shape.values);

type Seen = { texts: { where: string; text: string }[]; responses: Promise<{ where: string; status: number; text: string } | undefined>[] };

function watchResponses(page: Page, seen: Seen): void {
  page.on("response", (response: Response) => {
    const type = response.headers()["content-type"] ?? "";
    // The live stream never ends; what it carries is scanned by the integration suite.
    if (type.includes("text/event-stream")) return;
    seen.responses.push(
      response
        .body()
        .then((body) => ({
          where: `${response.request().method()} ${response.url()}`,
          status: response.status(),
          text: body.toString("latin1"),
        }))
        .catch(() => undefined),
    );
  });
}

async function pageText(page: Page, where: string, seen: Seen): Promise<void> {
  seen.texts.push({ where, text: await page.locator("body").innerText() });
}

/** Opens the key, reads every tab of the value view and the history, then compares two revisions. */
async function readLikeAPerson(page: Page, shape: SeededShape, seen: Seen): Promise<void> {
  await page.goto(pageOf(shape.key));
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(shape.key);
  const tabs = page.getByRole("tablist", { name: "Value view" }).getByRole("tab");
  await expect(tabs.first()).toBeVisible();
  const names = await tabs.allInnerTexts();
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) {
    await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name, exact: true }).click();
    await expect(page.getByRole("tab", { name, exact: true })).toHaveAttribute("aria-selected", "true");
    await pageText(page, `${shape.key} tab ${name}`, seen);
  }
  const revisions = page.getByRole("list", { name: "Revisions" });
  await expect(revisions.getByRole("link").first()).toBeVisible();
  await pageText(page, `${shape.key} history`, seen);

  if (shape.revisions.length < 2) return;
  const [first, last] = [shape.revisions[0], shape.revisions[shape.revisions.length - 1]];
  for (const view of ["split", "unified"]) {
    await page.goto(pageOf(shape.key, { rev: last, compare: first, view }));
    const comparison = page.getByRole("region", { name: "Comparison" });
    await expect(comparison.getByRole("heading", { name: `Comparing revision ${first} → ${last}` })).toBeVisible();
    await expect(
      comparison
        .getByRole("region", { name: "Changed fields" })
        .or(comparison.getByRole("region", { name: "Byte differences" }))
        .first(),
    ).toBeVisible();
    await pageText(page, `${shape.key} diff ${view}`, seen);
  }
}

for (const shape of shapes) {
  test(`no secret value on the pages of ${shape.shape}`, async ({ page }) => {
    const seen: Seen = { texts: [], responses: [] };
    watchResponses(page, seen);
    await readLikeAPerson(page, shape, seen);
    const responses = (await Promise.all(seen.responses)).filter((item) => item !== undefined);

    // The page really asked for this key, and was answered.
    const keyResponses = responses.filter((item) => item.where.includes("/api/key?"));
    expect(keyResponses.length).toBeGreaterThan(0);
    expect(keyResponses.every((item) => item.status === 200)).toBe(true);

    const scanned = [...seen.texts, ...responses];
    const values = shape.control ? shape.values : secretValues;
    const hits: LeakHit[] = scanned.flatMap((item) => findLeaks(item.where, item.text, values));
    if (shape.control) {
      // The control proves the scan: its value shows in the YAML view and in the hex dump.
      expect(hits.some((hit) => hit.form === "clear" && hit.where.includes("tab YAML"))).toBe(true);
      expect(hits.some((hit) => hit.form === "hex dump rows" && hit.where.includes("tab Raw"))).toBe(true);
      return;
    }
    expect(hits.map((hit) => `${hit.where}: ${hit.form} of ${hit.value}`)).toEqual([]);
    // And the page says what it hid.
    const text = seen.texts.map((item) => item.text).join("\n");
    expect(text).toMatch(/Secret, not decodable: [\d,]+ bytes|Secret values? masked/);
  });
}
