import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { findFreePort, scratchDir } from "@/scripts/lib/etcd-process";
import { startOidcProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type OidcProviderProcess } from "@/scripts/lib/oidc-provider";
import { encodeKubernetesObject } from "@/lib/decode";
import { pageOf } from "../support/api";
import { checkAccessMatrix, matrixRule, removeMatrix, seedMatrix, type Asker, type Matrix } from "../support/access-matrix";
import { readState } from "../support/state";
import { stopServer } from "../support/stop-server";

// Sign-in with OpenID Connect in Chromium, against a real provider (oidc-provider) and the
// production build started here with ETCDLENS_AUTH=oidc beside the suite's own server: a copied
// deep link to a key whose name has ':', a space and non-ASCII text goes through the provider's
// login page and lands on exactly that key; sign-out ends the session; a session outlives a
// server restart when ETCDLENS_SESSION_SECRET is set, and ends with its lifetime. Signed in, alice
// is refused a prefix her rules do not give, reveals a Secret and finds the audit line (in the
// file and on /audit); bob, whose group holds one rule, meets the access matrix over his session.

const KEY = "/e2e-oidc/system:aggregate-to-admin ünï cødé";
const VALUE = "the value behind the deep link";
const SECRET = "e2e-session-secret-of-at-least-32-characters";
const SECRET_KEY = "/e2e-oidc/secrets/db: créds";
const DENIED_KEY = "/e2e-oidc-denied/config";
let matrix: Matrix;
let auditLog = "";

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

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  const state = readState();
  const writer = new Etcd3({ hosts: state.etcd.endpoint });
  await writer.put(KEY).value(VALUE).exec();
  await writer
    .put(SECRET_KEY)
    .value(
      Buffer.from(
        encodeKubernetesObject({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "db", namespace: "e2e-oidc", uid: "u-oidc-db", creationTimestamp: "2026-01-01T00:00:00Z" },
          type: "Opaque",
          data: { password: Buffer.from("oidc-revealed-password").toString("base64") },
        }),
      ),
    )
    .exec();
  await writer.put(DENIED_KEY).value("outside alice's rules").exec();
  writer.close();
  matrix = await seedMatrix(state.etcd.endpoint, "/e2e-oidc-matrix/");

  long.port = await findFreePort();
  short.port = await findFreePort();
  long.url = `http://127.0.0.1:${long.port}`;
  short.url = `http://127.0.0.1:${short.port}`;
  provider = await startOidcProvider({ redirectUris: [`${long.url}/auth/callback`, `${short.url}/auth/callback`] });

  const dir = scratchDir(join(tmpdir(), "etcdlens-e2e"), "oidc");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "etcdlens.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      access: [
        { groups: ["dev"], clusters: "*", prefixes: ["/e2e-oidc/"], rights: ["list", "read"] },
        { groups: ["dev"], clusters: "*", prefixes: ["/e2e-oidc/secrets/"], rights: ["reveal"] },
        { groups: ["dev"], clusters: "*", rights: ["audit"] },
        { groups: ["ops"], ...matrixRule(matrix.prefix) },
      ],
    }),
  );
  auditLog = join(dir, "audit.log");
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
  // The long-lived dashboard keeps an archive (its own folder) so that /audit lists what it audits.
  long.env = {
    ...base,
    PORT: String(long.port),
    ETCDLENS_PUBLIC_URL: long.url,
    ETCDLENS_SESSION_TTL: "1h",
    ETCDLENS_ARCHIVE: "on",
    ETCDLENS_DATA_DIR: join(dir, "archive"),
    ETCDLENS_AUDIT_LOG: auditLog,
  };
  short.env = { ...base, PORT: String(short.port), ETCDLENS_PUBLIC_URL: short.url, ETCDLENS_SESSION_TTL: "4s" };
  await Promise.all([start(long), start(short)]);
});

test.afterAll(async () => {
  await Promise.all([stopServer(long.process), stopServer(short.process)]);
  await provider?.stop();
  // The suite's later tests count the tree's keys: leave it as the seed made it.
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  await writer.delete().key(KEY).exec();
  await writer.delete().key(SECRET_KEY).exec();
  await writer.delete().key(DENIED_KEY).exec();
  writer.close();
  if (matrix) await removeMatrix(readState().etcd.endpoint, matrix);
});

async function signInAtProvider(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Sign in to the test provider" })).toBeVisible();
  expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// A fresh browser context that opened url and signed in at the provider, back on the dashboard.
async function openSignedIn(browser: Browser, dashboard: Dashboard, url: string, username: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await signInAtProvider(page, username, `${username}-password`);
  await page.waitForURL((landed) => landed.origin === dashboard.url);
  return { context, page };
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

  await stopServer(long.process);
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
  // bob's group has one rule, for the access matrix's folder: signed in, shown only that.
  await expect(page.getByText("Signed in as bob")).toBeVisible();
  await context.close();
});

test("a session ends with its lifetime (ETCDLENS_SESSION_TTL) and the next page asks to sign in again", async ({ browser }) => {
  test.setTimeout(60_000);
  const deepLink = `${short.url}${pageOf(KEY)}`;
  const { context, page } = await openSignedIn(browser, short, deepLink, "alice");
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

test("signed in, alice is refused a prefix her rules do not give, reveals a Secret, and finds both on the audit trail", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const { context, page } = await openSignedIn(browser, long, `${long.url}${pageOf(SECRET_KEY)}`, "alice");
  await page.getByRole("button", { name: "Reveal data.password" }).click();
  await expect(page.getByLabel("Value of data.password")).toHaveText("oidc-revealed-password");

  await page.goto(`${long.url}${pageOf(DENIED_KEY)}`);
  await expect(page.getByText(/alice \(groups dev\) may not read/).first()).toBeVisible();
  await expect(page.getByText("outside alice's rules")).toHaveCount(0);

  const lines = readFileSync(auditLog, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toContainEqual(
    expect.objectContaining({ action: "reveal", outcome: "allowed", user: "alice", groups: ["dev"], via: "oidc", key: SECRET_KEY }),
  );
  expect(lines).toContainEqual(expect.objectContaining({ action: "denied", outcome: "denied", user: "alice", key: DENIED_KEY }));
  expect(lines).toContainEqual(expect.objectContaining({ action: "sign-in", user: "alice" }));

  await page.goto(`${long.url}/audit`);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  const revealRow = page.getByRole("row").filter({ hasText: SECRET_KEY });
  await expect(revealRow.first()).toBeVisible();
  await expect(revealRow.first().getByRole("cell").nth(2)).toHaveText("reveal");
  await expect(page.getByRole("row").filter({ hasText: DENIED_KEY }).first()).toBeVisible();
  await context.close();
});

test("the access matrix over bob's OpenID Connect session: every route allows, refuses and shows in part as his one rule says", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const { context, page } = await openSignedIn(browser, long, `${long.url}/`, "bob");
  await expect(page.getByText("Signed in as bob")).toBeVisible();
  // The page's own fetch: the session cookie goes along as it does for the dashboard's requests.
  const ask: Asker = {
    get: (path) =>
      page.evaluate(async (path) => {
        const response = await fetch(path);
        return { status: response.status, body: await response.text(), contentType: response.headers.get("content-type") ?? "" };
      }, path),
    head: (path) =>
      page.evaluate(async (path) => {
        const abort = new AbortController();
        const response = await fetch(path, { signal: abort.signal });
        const answer = { status: response.status, contentType: response.headers.get("content-type") ?? "" };
        abort.abort();
        return answer;
      }, path),
  };
  await checkAccessMatrix(ask, matrix);
  await context.close();
});
