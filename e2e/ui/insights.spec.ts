import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { contrastRatio, type Rgba } from "../support/contrast";
import { readState } from "../support/state";

// The Insights page in Chromium against the production build, in light and dark mode: etcd's
// figures of the e2e etcd, and the growth chart of writes this spec makes, drawn on a canvas in
// colours that stand out from the panel behind it (a chart in the other theme's colours fails).

const prefix = `/insights-e2e-${Date.now()}/`;

test.beforeAll(async () => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  for (let i = 0; i < 6; i++) await writer.put(`${prefix}${i % 2 ? "alpha" : "beta"}/${i}`).value(`value ${i}`);
  writer.close();
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`shows etcd's figures and a growth chart in ${colorScheme} mode`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto("/insights");
    await expect(page.getByRole("heading", { name: "Insights", level: 1 })).toBeVisible();

    const member = page.getByRole("region", { name: /^Member [0-9a-f]+$/ }).first();
    await expect(member.getByTestId("db-size")).toHaveText(/^\d+(\.\d)? (B|kB|MB|GB)$/);
    await expect(member.getByTestId("reclaim")).toHaveText(/defragmenting would reclaim/);
    await expect(member.getByRole("meter", { name: "DB size of quota" })).toBeVisible();
    await expect(page.getByText(/No alarms|NOSPACE|CORRUPT/).first()).toBeVisible();
    await expect(page.getByRole("table", { name: "Busiest prefixes" })).toBeVisible();

    await page.getByLabel("Folders under").fill(prefix);
    await page.getByRole("button", { name: "Show" }).click();
    const table = page.getByRole("table", { name: "Growth per folder" });
    await expect(table.getByRole("row", { name: /alpha\// })).toContainText("3");
    await expect(table.getByRole("row", { name: /beta\// })).toContainText("3");
    const chart = page.getByRole("img", { name: `Writes per minute under ${prefix}` });
    await expect(chart.locator("canvas")).toBeVisible();

    // The canvas's drawn pixels (axis labels, grid, lines) against the panel: enough of them must
    // reach 3:1, the contrast WCAG asks of graphics.
    const { pixels, panel } = await chart.evaluate((element) => {
      const canvas = element.querySelector("canvas")!;
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const drawn: number[][] = [];
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200) drawn.push([data[i], data[i + 1], data[i + 2], 1]);
      const probe = document.createElement("canvas").getContext("2d")!;
      let node: Element | null = element;
      let background = "rgba(0, 0, 0, 0)";
      while (node && background === "rgba(0, 0, 0, 0)") {
        background = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
      }
      probe.fillStyle = background;
      probe.fillRect(0, 0, 1, 1);
      return { pixels: drawn, panel: [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3), 1] };
    });
    const legible = pixels.filter((pixel) => contrastRatio(pixel as unknown as Rgba, panel as unknown as Rgba) >= 3);
    expect(pixels.length).toBeGreaterThan(500);
    expect(legible.length).toBeGreaterThan(300);
    await context.close();
  });
}
