// npx tsx scripts/screenshot-insights.ts — the README's Insights screenshots: the production build
// (ETCDLENS_DIST_DIR, default .next) served by npm start's server against ETCDCTL_ENDPOINTS (the
// shared 1,000,000-key bench etcd: read only, and with the archive's recording off, so nothing is
// copied out of it), /insights opened in Chromium in light and dark mode, each saved as a PNG
// under e2e/screenshots/. The dashboard it starts is stopped at the end.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { findFreePort } from "./lib/etcd-process";

async function main(): Promise<void> {
  if (!process.env.ETCDCTL_ENDPOINTS) throw new Error("set ETCDCTL_ENDPOINTS to the etcd to show");
  const port = await findFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), "etcdlens-screenshot-"));
  const server = spawn(process.execPath, ["scripts/serve.mjs"], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ETCDLENS_DATA_DIR: dataDir, ETCDLENS_ARCHIVE_RECORD: "off" },
    stdio: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    for (let tries = 0; ; tries++) {
      const ok = await fetch(`${base}/api/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
      if (tries > 300) throw new Error("the dashboard did not start");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      await page.goto(`${base}/insights`);
      await page.getByTestId("db-size").first().waitFor();
      await page.getByRole("table", { name: "Busiest prefixes" }).waitFor();
      await page.waitForTimeout(1500);
      const path = `e2e/screenshots/insights${colorScheme === "dark" ? "-dark" : ""}.png`;
      await page.screenshot({ path, fullPage: true });
      console.log(`wrote ${path}`);
      await context.close();
    }
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
