import { expect, test, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { historyOf, pageOf } from "../support/api";

// The pages under their Content-Security-Policy in a real Chromium: everything a person uses
// works, and the browser reports no violation (a blocked script or style would break the page
// silently); no other site can frame them.

type Violation = { directive: string; blocked: string; sample: string };

/** Collects the page's console errors, and its CSP violations for violationsOn. */
async function watchViolations(page: Page): Promise<{ consoleErrors: string[] }> {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: Violation[] = [];
    (window as unknown as { __violations: Violation[] }).__violations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
    });
  });
  return { consoleErrors };
}

async function violationsOn(page: Page): Promise<Violation[]> {
  return page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);
}

test("every page works under the policy, and the browser reports no violation", async ({ page, request }) => {
  const { consoleErrors } = await watchViolations(page);
  const valueText = page.getByLabel("Value", { exact: true }).last();
  const seen: Violation[] = [];
  const check = async (what: string) => {
    const found = await violationsOn(page);
    seen.push(...found);
    expect(found, `${what}: CSP violations`).toEqual([]);
  };

  // The tree, expanded by clicking (client-side navigation keeps the first page's nonce).
  await page.goto("/keys");
  const tree = page.getByRole("tree", { name: "Keys" });
  await tree.getByRole("button", { name: "Expand registry" }).click();
  await tree.getByRole("button", { name: "Expand pods" }).click();
  await tree.getByRole("button", { name: "Expand shop" }).click();
  await tree.getByRole("link", { name: "web-7c9d8f6b5-x2x9k" }).click();
  await expect(valueText).toContainText("phase: Running");
  await check("tree and a pod");

  // A large value (the virtualised code view positions lines with style={{}}).
  await page.goto(pageOf(DEMO_KEYS.large));
  await expect(page.getByRole("region", { name: "Value" })).toContainText('"sku": "SKU-000000"');
  await check("a large JSON value");

  // A binary value's hex dump.
  await page.goto(pageOf(DEMO_KEYS.binaryValue));
  await expect(page.getByRole("region", { name: "Hex dump" })).toContainText("00000000: 0b30");
  await check("a hex dump");

  // A Secret, masked.
  await page.goto(pageOf(DEMO_KEYS.secret));
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(DEMO_KEYS.secret);
  await check("a Secret");

  // History and a diff.
  const history = await historyOf(request, DEMO_KEYS.deployment);
  await page.goto(pageOf(DEMO_KEYS.deployment, { rev: history[history.length - 1].revision }));
  await expect(page.getByTestId("kv-modRevision")).toHaveText(String(history[history.length - 1].revision));
  await check("an older revision");

  for (const [path, text] of [
    ["/changes?prefix=/registry/deployments/", "created"],
    ["/cluster", "No active alarms."],
    ["/leases", "live leases"],
    ["/keys/no/such/key/anywhere", "No such key"],
    [pageOf("/registry/pods/shop"), "A folder: no key has this exact name."],
  ] as const) {
    await page.goto(path);
    await expect(page.getByText(text).first()).toBeVisible();
    await check(path);
  }

  expect(seen).toEqual([]);
  expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);

  // The listener hears what the policy refuses: markup with an inline style attribute and an
  // inline event handler, as an injected value would bring, is refused and reported.
  await page.evaluate(() => {
    document.body.insertAdjacentHTML(
      "beforeend",
      '<div id="injected" style="color: rgb(255, 0, 0)"><img src="data:," onerror="window.__injected = true"></div>',
    );
  });
  await expect
    .poll(async () => [...new Set((await violationsOn(page)).map((violation) => violation.directive))].sort())
    .toEqual(["script-src-attr", "style-src-attr"]);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  await expect(page.locator("#injected")).not.toHaveCSS("color", "rgb(255, 0, 0)");
});

test("another site cannot frame a page", async ({ page, baseURL }) => {
  const { consoleErrors } = await watchViolations(page);
  // A page of another origin (about:blank here) embedding the dashboard.
  await page.setContent(`<iframe id="framed" src="${baseURL}${pageOf(DEMO_KEYS.deployment)}" width="800" height="400"></iframe>`);
  const frame = page.frameLocator("#framed");
  await expect
    .poll(() => consoleErrors.some((text) => /frame-ancestors|Refused to (display|frame)/i.test(text)), { timeout: 10_000 })
    .toBe(true);
  await expect(frame.getByRole("heading", { name: "Key" })).toHaveCount(0);
});
