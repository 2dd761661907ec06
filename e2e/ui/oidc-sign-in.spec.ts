import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { findFreePort, scratchDir } from "@/scripts/lib/etcd-process";
import { startOidcProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type OidcProviderProcess } from "@/scripts/lib/oidc-provider";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// Sign-in with OpenID Connect in Chromium, against a real provider (oidc-provider) and the
// production build started here with ETCDLENS_AUTH=oidc beside the suite's own server: a copied
// deep link to a key whose name has ':', a space and non-ASCII text goes through the provider's
// login page and lands on exactly that key; sign-out ends the session; a session outlives a
// server restart when ETCDLENS_SESSION_SECRET is set, and ends with its lifetime.

const KEY = "/e2e-oidc/system:aggregate-to-admin ünï cødé";
const VALUE = "the value behind the deep link";
const SECRET = "e2e-session-secret-of-at-least-32-characters";

type Dashboard = { url: string; port: number; env: Record<string, string | undefined>; process?: ChildProcess };

let provider: OidcProviderProcess;
const long: Dashboard = { url: "", port: 0, env: {} };
const short: Dashboard = { url: "", port: 0, env: {} };

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the OIDC dashboard did not answer at ${url}`);
}

async function start(dashboard: Dashboard): Promise<void> {
  const nextBin = join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  dashboard.process = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(dashboard.port)], {
    env: dashboard.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHealth(dashboard.url);
}

async function stop(dashboard: Dashboard): Promise<void> {
  const child = dashboard.process;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    // next start may wait for open connections (a page's event stream) before it exits.
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  const state = readState();
  const writer = new Etcd3({ hosts: state.etcd.endpoint });
  await writer.put(KEY).value(VALUE).exec();
  writer.close();

  long.port = await findFreePort();
  short.port = await findFreePort();
  long.url = `http://127.0.0.1:${long.port}`;
  short.url = `http://127.0.0.1:${short.port}`;
  provider = await startOidcProvider({ redirectUris: [`${long.url}/auth/callback`, `${short.url}/auth/callback`] });

  const dir = scratchDir(join(tmpdir(), "etcdlens-e2e"), "oidc");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "etcdlens.yaml");
  writeFileSync(config, JSON.stringify({ access: [{ groups: ["dev"], clusters: "*", prefixes: [""], rights: ["list", "read"] }] }));
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith("ETCDCTL_") || name.startsWith("ETCDLENS_OIDC_")) delete base[name];
  Object.assign(base, {
    ETCDCTL_ENDPOINTS: state.etcd.endpoint,
    ETCDLENS_CONFIG: config,
    ETCDLENS_ARCHIVE: "off",
    ETCDLENS_AUTH: "oidc",
    ETCDLENS_OIDC_ISSUER: provider.issuer,
    ETCDLENS_OIDC_CLIENT_ID: TEST_CLIENT_ID,
    ETCDLENS_OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
    ETCDLENS_SESSION_SECRET: SECRET,
    NEXT_TELEMETRY_DISABLED: "1",
  });
  long.env = { ...base, PORT: String(long.port), ETCDLENS_PUBLIC_URL: long.url, ETCDLENS_SESSION_TTL: "1h" };
  short.env = { ...base, PORT: String(short.port), ETCDLENS_PUBLIC_URL: short.url, ETCDLENS_SESSION_TTL: "4s" };
  await Promise.all([start(long), start(short)]);
});

test.afterAll(async () => {
  await Promise.all([stop(long), stop(short)]);
  await provider?.stop();
  // The suite's later tests count the tree's keys: leave it as the seed made it.
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  await writer.delete().key(KEY).exec();
  writer.close();
});

async function signInAtProvider(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Sign in to the test provider" })).toBeVisible();
  expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectKeyShown(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { name: "Key" })).toHaveText(KEY);
  await expect(page.getByLabel("Value", { exact: true }).last()).toContainText(VALUE);
}

test("a deep link goes through the provider's login and lands on exactly that key; the session survives a restart; sign-out ends it", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  const deepLink = `${long.url}${pageOf(KEY)}`;
  expect(deepLink).toMatch(/%3A|:/);

  await page.goto(deepLink);
  await signInAtProvider(page, "alice", "wrong");
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await signInAtProvider(page, "alice", "alice-password");
  await page.waitForURL((url) => url.origin === long.url);
  expect(page.url()).toBe(deepLink);
  await expectKeyShown(page);
  await expect(page.getByText("Signed in as alice")).toBeVisible();

  const session = (await context.cookies(long.url)).find((cookie) => cookie.name === "etcdlens_session");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false, path: "/" });
  expect(session!.expires - Date.now() / 1000).toBeGreaterThan(3500);
  // Page scripts cannot read the session, and the header's API answer carries no token.
  expect(await page.evaluate(() => document.cookie)).not.toContain("etcdlens_session");
  const me = await page.evaluate(async () => (await fetch("/api/me")).json());
  expect(me).toEqual({ user: "alice", groups: ["dev"], via: "oidc", signOut: true, noSignIn: false });

  await stop(long);
  await start(long);
  await page.reload();
  expect(page.url()).toBe(deepLink);
  await expectKeyShown(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Signed out", exact: true })).toBeVisible();
  expect((await context.cookies(long.url)).some((cookie) => cookie.name === "etcdlens_session")).toBe(false);
  // The API refuses without a session; a page sends the browser to sign in again.
  expect((await context.request.get(`${long.url}/api/me`)).status()).toBe(401);
  await context.clearCookies({ name: /^_session/ });
  await page.goto(deepLink);
  await signInAtProvider(page, "bob", "bob-password");
  await page.waitForURL((url) => url.origin === long.url);
  expect(page.url()).toBe(deepLink);
  // bob's group has no rule: signed in, but shown nothing.
  await expect(page.getByText("Signed in as bob")).toBeVisible();
  await context.close();
});

test("a session ends with its lifetime (ETCDLENS_SESSION_TTL) and the next page asks to sign in again", async ({ browser }) => {
  test.setTimeout(60_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  const deepLink = `${short.url}${pageOf(KEY)}`;
  await page.goto(deepLink);
  await signInAtProvider(page, "alice", "alice-password");
  await page.waitForURL((url) => url.origin === short.url);
  await expectKeyShown(page);
  // Away from the dashboard while the session runs out: an open page would notice the API's 401
  // and go through the provider again by itself (lib/queries/sign-in-again.ts).
  await page.goto("about:blank");
  await page.waitForTimeout(5_000);
  // Forget the provider's own session too, or it would sign alice straight back in.
  await context.clearCookies({ name: /^_session/ });
  await page.goto(deepLink);
  await expect(page.getByRole("heading", { name: "Sign in to the test provider" })).toBeVisible();
  await context.close();
});
