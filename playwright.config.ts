import { execFileSync } from "node:child_process";
import { defineConfig } from "@playwright/test";

// End-to-end tests run the production build (`npm start`, scripts/serve.mjs) against a real etcd seeded with the
// demo data (e2e/global-setup.ts), in Debian's Chromium: Playwright's own browser downloads are
// not available everywhere etcdlens is tested.

function freePortSync(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim());
}

// Chosen once in the runner process; workers inherit the environment.
process.env.ETCDLENS_E2E_PORT ??= String(freePortSync());
const baseURL = `http://127.0.0.1:${process.env.ETCDLENS_E2E_PORT}`;

export default defineConfig({
  testDir: "e2e",
  // Playwright empties its output folder on start; keep it apart from the other runners' reports.
  outputDir: "test-results/e2e-artifacts",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  // One etcd and one server are shared, and one test stops etcd on purpose: run serially.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-results.json" }]],
  use: {
    baseURL,
    headless: true,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "api", testDir: "e2e/api" },
    { name: "ui", testDir: "e2e/ui", use: { browserName: "chromium", viewport: { width: 1400, height: 900 } } },
  ],
});
