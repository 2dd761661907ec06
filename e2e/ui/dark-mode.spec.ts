import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { contrastRatio, flattenBackgrounds, relativeLuminance, type Rgba } from "../support/contrast";
import { historyOf, pageOf } from "../support/api";

// Dark mode in Chromium against the production build: the system's setting is followed, the
// header's Theme switch overrides it before first paint and survives a reload, and every text a
// person reads on the explorer's pages reaches WCAG AA (4.5:1) against what lies behind it, in
// both themes, measured from the colours the browser computed.

const AA = 4.5;
const theme = (page: Page) => page.getByRole("combobox", { name: "Theme" });

type Sample = { text: string; tag: string; color: Rgba; backgrounds: Rgba[] };
type ColourReader = { toRgba: (css: string) => Rgba };

/**
 * A context in the given colour scheme whose pages can turn any computed colour (oklch,
 * light-dark, color-mix…) into sRGB: a 1-pixel canvas paints it and reads it back.
 */
async function openContext(
  browser: Browser,
  colorScheme: "light" | "dark",
  viewport?: { width: number; height: number },
): Promise<BrowserContext> {
  const context = await browser.newContext({ colorScheme, ...(viewport ? { viewport } : {}) });
  await context.addInitScript(() => {
    let paint: CanvasRenderingContext2D | null = null;
    (window as unknown as ColourReader).toRgba = (css) => {
      if (!paint) {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 1;
        paint = canvas.getContext("2d", { willReadFrequently: true })!;
      }
      paint.clearRect(0, 0, 1, 1);
      paint.fillStyle = css;
      paint.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
  });
  return context;
}

/**
 * Every visible element with text of its own on the page, with its text colour and the
 * backgrounds behind it (its own first, then its ancestors').
 */
async function readTextColours(page: Page): Promise<Sample[]> {
  return page.evaluate(() => {
    const { toRgba } = window as unknown as ColourReader;
    const samples: Sample[] = [];
    const seen = new Set<Element>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      // Text without a letter or digit is a mark (the tree's "·", "▸", a diff's "−"), not words.
      if (!element || seen.has(element) || !/[\p{L}\p{N}]/u.test(node.textContent ?? "")) continue;
      seen.add(element);
      const box = element.getBoundingClientRect();
      // WCAG exempts inactive controls; screen-reader-only text is one pixel wide and never seen.
      if (box.width <= 1 || box.height <= 1 || element.closest("script, style, option, :disabled")) continue;
      if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      // A pulsing "Loading…" line changes its contrast by the frame; it is measured once settled.
      if (element.getAnimations({ subtree: false }).length > 0) continue;
      const backgrounds: Rgba[] = [];
      let opacity = 1;
      for (let at: Element | null = element; at; at = at.parentElement) {
        const style = getComputedStyle(at);
        backgrounds.push(toRgba(style.backgroundColor));
        opacity *= Number(style.opacity);
      }
      const [r, g, b, a] = toRgba(getComputedStyle(element).color);
      samples.push({
        text: (element.textContent ?? "").trim().slice(0, 80),
        tag: element.tagName.toLowerCase(),
        color: [r, g, b, a * opacity],
        backgrounds,
      });
    }
    return samples;
  });
}

/** The texts on the page below AA, as "text (tag): ratio" lines; also every text measured. */
async function measureContrast(page: Page): Promise<{ failing: string[]; texts: string[] }> {
  const samples = await readTextColours(page);
  const failing: string[] = [];
  for (const sample of samples) {
    // The body's background is opaque, so the canvas colour below it never shows.
    const ratio = contrastRatio(sample.color, flattenBackgrounds(sample.backgrounds, [255, 255, 255, 1]));
    if (ratio < AA) failing.push(`${JSON.stringify(sample.text)} (${sample.tag}): ${ratio.toFixed(2)}`);
  }
  return { failing, texts: samples.map((sample) => sample.text) };
}

/** Relative luminance (0 black – 1 white) of the page's background and of its body text. */
async function readBodyLuminance(page: Page): Promise<{ background: number; text: number }> {
  const [background, text] = await page.evaluate(() => {
    const { toRgba } = window as unknown as ColourReader;
    const style = getComputedStyle(document.body);
    return [toRgba(style.backgroundColor), toRgba(style.color)];
  });
  expect(background[3], "the page background is opaque").toBe(1);
  return { background: relativeLuminance(background), text: relativeLuminance(text) };
}

test("the system's dark setting gives a dark page with light text; the Theme switch picks light, and it survives a reload and blocked scripts", async ({
  browser,
}) => {
  const context = await openContext(browser, "dark");
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText("kind: Deployment");
  await expect(theme(page)).toHaveValue("system");
  let body = await readBodyLuminance(page);
  expect(body.background, "page background under the system's dark setting").toBeLessThan(0.05);
  expect(body.text, "body text under the system's dark setting").toBeGreaterThan(0.7);

  await theme(page).selectOption({ label: "Light" });
  await expect(page.locator("html")).toHaveClass(/\blight\b/);
  body = await readBodyLuminance(page);
  expect(body.background).toBeGreaterThan(0.9);
  expect(body.text).toBeLessThan(0.05);

  await page.reload();
  await expect(theme(page)).toHaveValue("light");
  body = await readBodyLuminance(page);
  expect(body.background, "light survives a reload").toBeGreaterThan(0.9);

  // The stored choice is applied by the inline script before any of the app's JavaScript runs:
  // with every script file refused, the page still comes up in it (so it never flashes the other).
  await theme(page).selectOption({ label: "Dark" });
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  body = await readBodyLuminance(page);
  expect(body.background, "dark from the inline script alone").toBeLessThan(0.05);
  await page.unroute("**/_next/static/**/*.js");

  await page.reload();
  // Hydrated: the switch shows the stored choice (its server rendering says "system").
  await expect(theme(page)).toHaveValue("dark");
  await theme(page).selectOption({ label: "System" });
  await expect(page.locator("html")).not.toHaveClass(/\b(light|dark)\b/);
  expect((await readBodyLuminance(page)).background, "back to the system's dark").toBeLessThan(0.05);

  // The shortcut list's veil darkens the page behind it in dark too (a slate-900 veil would be light).
  await theme(page).blur();
  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  const veil = await dialog.evaluate((element) =>
    (window as unknown as ColourReader).toRgba(getComputedStyle(element, "::backdrop").backgroundColor),
  );
  expect(veil[3], "the veil is drawn").toBeGreaterThan(0);
  expect(relativeLuminance(veil), "the veil is dark").toBeLessThan(0.05);
  expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  await context.close();
});

test("every text on the explorer's pages reaches WCAG AA in the light and the dark theme", async ({ browser, request }) => {
  const deployment = await historyOf(request, DEMO_KEYS.deployment);
  const [newest, , oldest] = deployment;
  const views: { name: string; url: string; shows: (page: Page) => Promise<void>; texts: string[] }[] = [
    {
      name: "tree, decoded value, history",
      url: pageOf(DEMO_KEYS.deployment),
      // The history loads after the value (it reads the archive too): measured only once it shows.
      shows: async (page) => {
        await expect(page.getByLabel("Value", { exact: true }).last()).toContainText("kind: Deployment");
        await expect(page.getByRole("complementary", { name: "History" }).getByText("spec.replicas: 5 → 3")).toBeVisible();
      },
      texts: ["web", "kind: Deployment", "PUT", "Kubernetes", `rev ${newest.revision}`, "spec.replicas: 5 → 3"],
    },
    {
      name: "split diff",
      url: pageOf(DEMO_KEYS.deployment, { rev: newest.revision, compare: oldest.revision, view: "split" }),
      shows: (page) => expect(page.getByRole("table", { name: "Split diff" }).getByRole("insertion").first()).toBeVisible(),
      texts: ["replicas:"],
    },
    {
      name: "unified diff",
      url: pageOf(DEMO_KEYS.deployment, { rev: newest.revision, compare: oldest.revision, view: "unified" }),
      shows: (page) => expect(page.getByRole("table", { name: "Unified diff" }).getByRole("deletion").first()).toBeVisible(),
      texts: ["replicas:"],
    },
    {
      name: "a re-created key's history",
      url: pageOf(DEMO_KEYS.recreated),
      shows: (page) => expect(page.getByRole("list", { name: "Revisions" }).getByText("DELETE").first()).toBeVisible(),
      texts: ["DELETE", "new incarnation"],
    },
    {
      name: "time travel banner",
      url: pageOf(DEMO_KEYS.deployment, { rev: oldest.revision }),
      shows: (page) => expect(page.getByRole("status").filter({ hasText: `As of revision ${oldest.revision}` })).toBeVisible(),
      texts: [`As of revision ${oldest.revision}.`],
    },
    {
      name: "notice panel",
      url: pageOf("/dark-mode/no/such/key"),
      shows: (page) => expect(page.getByRole("status").filter({ hasText: "No such key" })).toBeVisible(),
      texts: ["No such key"],
    },
    {
      name: "error panel",
      url: `${pageOf(DEMO_KEYS.deployment)}?rev=abc`,
      shows: (page) => expect(page.getByRole("alert").first()).toBeVisible(),
      texts: [],
    },
    {
      name: "Live switched on",
      url: pageOf(DEMO_KEYS.pod),
      shows: async (page) => {
        await page.getByRole("button", { name: "Live", exact: true }).click();
        await expect(page.getByRole("button", { name: "Live", exact: true })).toHaveAttribute("aria-pressed", "true");
      },
      texts: ["Live"],
    },
    {
      name: "change feed",
      url: "/changes?prefix=/registry/",
      shows: (page) => expect(page.getByRole("table", { name: "Changes" }).getByText(DEMO_KEYS.deployment).first()).toBeVisible(),
      texts: [DEMO_KEYS.deployment],
    },
    {
      name: "folder",
      url: pageOf("/registry/configmaps/shop/"),
      shows: (page) => expect(page.getByRole("main").getByText("feature-flags").first()).toBeVisible(),
      texts: ["feature-flags"],
    },
  ];
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await openContext(browser, colorScheme);
    const page = await context.newPage();
    for (const view of views) {
      await page.goto(view.url);
      await view.shows(page);
      const { failing, texts } = await measureContrast(page);
      for (const text of view.texts)
        expect(
          texts.some((measured) => measured.includes(text)),
          `${colorScheme}, ${view.name}: "${text}" is measured`,
        ).toBe(true);
      expect(texts.length, `${colorScheme}, ${view.name}: texts measured`).toBeGreaterThan(10);
      expect(failing, `${colorScheme}, ${view.name}: texts below ${AA}:1`).toEqual([]);
    }
    await context.close();
  }
});

test("README screenshot: the explorer in dark mode", async ({ browser }) => {
  const context = await openContext(browser, "dark", { width: 1400, height: 820 });
  const page = await context.newPage();
  await page.goto(pageOf(DEMO_KEYS.deployment));
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText("kind: Deployment");
  await expect(page.getByRole("list", { name: "Revisions" }).getByText("spec.replicas: 5 → 3")).toBeVisible();
  // The tree opened down to the key, its other levels listed.
  const tree = page.getByRole("tree", { name: "Keys" });
  await expect(tree.getByRole("treeitem", { name: "web", selected: true })).toBeVisible();
  await expect(tree.getByRole("status")).toHaveCount(0);
  expect((await readBodyLuminance(page)).background).toBeLessThan(0.05);
  // Written only when asked (ETCDLENS_SCREENSHOTS=1), so a test run leaves the tree clean.
  if (process.env.ETCDLENS_SCREENSHOTS) await page.screenshot({ path: "e2e/screenshots/explorer-dark.png" });
  await context.close();
});
