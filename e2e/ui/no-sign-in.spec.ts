import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { findFreePort } from "@/scripts/lib/etcd-process";
import { readState } from "../support/state";
import { stopServer } from "../support/stop-server";

// A dashboard served beyond loopback with sign-in off on purpose (HOST=0.0.0.0 with
// ETCDLENS_AUTH=none-i-know, as docker-compose.yml's default dashboard runs) says "no sign-in" in
// its header, so nobody takes it for a protected deployment; the suite's own loopback server does not.

let server: ChildProcess | undefined;
let url = "";

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const port = await findFreePort();
  url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("ETCDCTL_") || name.startsWith("ETCDLENS_OIDC_")) delete env[name];
  Object.assign(env, {
    ETCDCTL_ENDPOINTS: readState().etcd.endpoint,
    ETCDLENS_CONFIG: "",
    ETCDLENS_ARCHIVE: "off",
    ETCDLENS_AUTH: "none-i-know",
    HOST: "0.0.0.0",
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
  });
  server = spawn(process.execPath, [join(process.cwd(), "scripts", "serve.mjs")], { env, stdio: ["ignore", "ignore", "inherit"] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/api/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("the none-i-know dashboard did not start");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

test.afterAll(async () => {
  await stopServer(server);
});

test("the header says 'no sign-in' on a network-facing dashboard without sign-in, and nothing on loopback", async ({ page }) => {
  await page.goto(`${url}/`);
  await expect(page.getByText("no sign-in", { exact: true })).toBeVisible();
  expect(await (await fetch(`${url}/api/me`)).json()).toMatchObject({ via: "none", noSignIn: true });

  await page.goto("/");
  await expect(page.getByRole("heading").first()).toBeVisible();
  await expect(page.getByText("no sign-in", { exact: true })).toHaveCount(0);
  expect(await (await page.request.get("/api/me")).json()).toMatchObject({ via: "none", noSignIn: false });
});
