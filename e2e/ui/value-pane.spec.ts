import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { pageOf, param } from "../support/api";

// The value pane's copy and download buttons and its view in the URL, in Chromium against the
// production build and the demo data. The clipboard is read back through the browser's own API.

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();
const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test("Copy YAML puts exactly the YAML the pane shows into the clipboard, Download YAML saves it as web.yaml", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await expect(valueText(page)).toContainText("kind: Deployment");
  const shown = await valueText(page).textContent();

  await page.getByRole("button", { name: "Copy YAML" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
  expect(await readClipboard(page)).toBe(shown);

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download YAML" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("web.yaml");
  expect(await readFile((await download.path())!, "utf8")).toBe(shown);
});

test("JSON and raw: copy and download carry the JSON shown and the value's exact bytes", async ({ page, request }) => {
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name: "JSON" }).click();
  await expect(valueText(page)).toContainText('"kind": "Deployment"');
  const shown = (await valueText(page).textContent())!;
  expect(JSON.parse(shown).metadata.name).toBe("web");

  await page.getByRole("button", { name: "Copy JSON" }).click();
  await expect.poll(() => readClipboard(page)).toBe(shown);
  const downloadingJson = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download JSON" }).click();
  const json = await downloadingJson;
  expect(json.suggestedFilename()).toBe("web.json");
  expect(await readFile((await json.path())!, "utf8")).toBe(shown);

  const bytes = await (await request.get(`/api/raw?key=${param(DEMO_KEYS.deployment)}`)).body();
  expect(bytes.length).toBeGreaterThan(0);
  await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name: "Raw" }).click();
  await page.getByRole("button", { name: "Copy base64" }).click();
  await expect.poll(() => readClipboard(page)).toBe(bytes.toString("base64"));
  const downloadingRaw = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download raw" }).click();
  const raw = await downloadingRaw;
  expect(raw.suggestedFilename()).toBe("web.bin");
  expect(Buffer.compare(await readFile((await raw.path())!), bytes)).toBe(0);
});

test("the chosen view is in the URL and a fresh browser opening that URL shows it; an unknown one falls back to YAML", async ({
  page,
  browser,
}) => {
  await page.goto(pageOf(DEMO_KEYS.pod));
  await expect(valueText(page)).toContainText("phase: Running");
  await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name: "JSON" }).click();
  await expect(page).toHaveURL(/[?&]format=json$/);
  await expect(valueText(page)).toContainText('"phase": "Running"');

  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(page.url());
  await expect(fresh.getByRole("tab", { name: "JSON" })).toHaveAttribute("aria-selected", "true");
  await expect(valueText(fresh)).toContainText('"phase": "Running"');

  await fresh.goto(pageOf(DEMO_KEYS.pod, { format: "xml" }));
  await expect(fresh.getByRole("tab", { name: "YAML" })).toHaveAttribute("aria-selected", "true");
  await expect(valueText(fresh)).toContainText("phase: Running");
  await context.close();

  await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name: "YAML" }).click();
  await expect(page).not.toHaveURL(/format=/);
});

test("a Secret: what is copied and downloaded stays masked, and its raw bytes are offered neither way", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.secret));
  await expect(valueText(page)).toContainText("kind: Secret");
  const shown = (await valueText(page).textContent())!;
  const password = "correct horse battery staple";
  const passwordBase64 = Buffer.from(password).toString("base64");

  await page.getByRole("button", { name: "Copy YAML" }).click();
  await expect.poll(() => readClipboard(page)).toBe(shown);
  const copied = await readClipboard(page);
  expect(copied).not.toContain(password);
  expect(copied).not.toContain(passwordBase64);

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download YAML" }).click();
  const saved = await readFile((await (await downloading).path())!, "utf8");
  expect(saved).toBe(shown);
  expect(saved).not.toContain(passwordBase64);

  await page.getByRole("tablist", { name: "Value view" }).getByRole("tab", { name: "Raw" }).click();
  await expect(page.getByText("Raw bytes hidden")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy base64" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Download raw" })).toHaveCount(0);
});
