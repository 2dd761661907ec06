import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type OidcProviderProcess } from "@/scripts/lib/oidc-provider";

// The OpenID Connect trip over HTTP against a real provider (oidc-provider, certified) through the
// dashboard's route handlers: sign-in, the provider's login page, the callback, the session
// cookie, the refusals (cancelled, wrong state, stale trip, foreign `next`) and sign-out.

const PUBLIC_URL = "http://127.0.0.1:39991";
const DEEP_LINK = "/keys/registry/clusterroles/system%3Aaggregate-to-admin%20%C3%A9t%C3%A9?rev=5&x=%2F%25";

let provider: OidcProviderProcess;
let signIn: typeof import("@/app/auth/sign-in/route");
let callback: typeof import("@/app/auth/callback/route");
let signOut: typeof import("@/app/auth/sign-out/route");
let session: typeof import("@/lib/auth/session");

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  Object.assign(process.env, {
    ETCDLENS_AUTH: "oidc",
    ETCDLENS_OIDC_ISSUER: provider.issuer,
    ETCDLENS_OIDC_CLIENT_ID: TEST_CLIENT_ID,
    ETCDLENS_OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
    ETCDLENS_PUBLIC_URL: PUBLIC_URL,
    ETCDLENS_SESSION_SECRET: "a-test-session-secret-of-at-least-32-characters",
    ETCDLENS_SESSION_TTL: "2h",
  });
  delete process.env.ETCDLENS_CONFIG;
  signIn = await import("@/app/auth/sign-in/route");
  callback = await import("@/app/auth/callback/route");
  signOut = await import("@/app/auth/sign-out/route");
  session = await import("@/lib/auth/session");
});

afterAll(async () => {
  await provider?.stop();
});

/** The cookies a browser would hold, by name. */
class CookieJar {
  readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals).trim();
      const expired = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (expired || pair.slice(equals + 1) === "") this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(equals + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** Follows the provider's redirects (and submits its login form) until it sends the browser back to the dashboard. */
async function throughProvider(start: string, jar: CookieJar, login: { username: string; password: string } | "cancel"): Promise<string> {
  let url = start;
  let method = "GET";
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 15; hop++) {
    if (url.startsWith(PUBLIC_URL)) return url;
    const response = await fetch(url, { method, body, redirect: "manual", headers: { cookie: jar.header() } });
    jar.take(response);
    method = "GET";
    body = undefined;
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location")!, url).href;
      continue;
    }
    const page = await response.text();
    expect(response.status, page).toBe(200);
    const forms = [...page.matchAll(/<form method="post" action="([^"]+)">/g)].map((found) => found[1]);
    expect(forms.length, page).toBe(2);
    if (login === "cancel") {
      url = new URL(forms[1], url).href;
      body = new URLSearchParams();
    } else {
      url = new URL(forms[0], url).href;
      body = new URLSearchParams(login);
      if (page.includes('role="alert"')) throw new Error("login refused: wrong username or password");
    }
    method = "POST";
  }
  throw new Error("the provider never sent the browser back");
}

function request(path: string, jar: CookieJar, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set("cookie", jar.header());
  return new Request(path.startsWith("http") ? path : `${PUBLIC_URL}${path}`, { ...init, headers });
}

async function startTrip(next: string, jar: CookieJar): Promise<string> {
  const response = await signIn.GET(request(`/auth/sign-in?next=${encodeURIComponent(next)}`, jar));
  expect(response.status).toBe(303);
  jar.take(response);
  const location = response.headers.get("location")!;
  expect(location.startsWith(`${provider.issuer}/`)).toBe(true);
  return location;
}

describe("OpenID Connect sign-in against a real provider", () => {
  it("signs alice in with PKCE, state and nonce, and returns to the deep link byte for byte", async () => {
    const browser = new CookieJar();
    const authorize = new URL(await startTrip(DEEP_LINK, browser));
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}/auth/callback`);
    expect(authorize.searchParams.get("scope")).toBe("openid profile email groups");
    expect([...browser.cookies.keys()]).toEqual([session.TRANSACTION_COOKIE]);

    const providerJar = new CookieJar();
    const back = await throughProvider(authorize.href, providerJar, { username: "alice", password: "alice-password" });
    const answer = await callback.GET(request(back, browser));
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`${PUBLIC_URL}${DEEP_LINK}`);

    const setCookies = answer.headers.getSetCookie();
    const sessionCookie = setCookies.find((line) => line.startsWith(`${session.SESSION_COOKIE}=`))!;
    expect(sessionCookie).toMatch(/; Path=\/; Max-Age=7200; HttpOnly; SameSite=Lax$/);
    expect(sessionCookie).not.toContain("Secure");
    expect(setCookies.some((line) => line.startsWith(`${session.TRANSACTION_COOKIE}=;`) && line.includes("Max-Age=0"))).toBe(true);
    browser.take(answer);
    // A compact JWE (five parts, the header says dir + A256GCM): nothing readable, no token inside.
    const jwe = browser.cookies.get(session.SESSION_COOKIE)!;
    expect(jwe.split(".")).toHaveLength(5);
    expect(JSON.parse(Buffer.from(jwe.split(".")[0], "base64url").toString())).toEqual({ alg: "dir", enc: "A256GCM" });
    expect(jwe.length).toBeLessThan(400);

    // The ID token held only sub (the provider's default for the code flow): name and groups came from userinfo.
    expect(provider.requestedPaths).toContain("/me");
    expect(await session.readSessionViewer(browser.header())).toEqual({ user: "alice", groups: ["dev"], via: "oidc" });

    // The callback cannot be replayed: the trip's cookie is gone.
    const replay = await callback.GET(request(back, browser));
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("Sign-in expired");
  });

  it("signs bob in with his own groups, and refuses a wrong password at the provider", async () => {
    const browser = new CookieJar();
    const authorize = await startTrip("/", browser);
    await expect(throughProvider(authorize, new CookieJar(), { username: "bob", password: "alice-password" })).rejects.toThrow(
      "wrong username or password",
    );
    const back = await throughProvider(authorize, new CookieJar(), { username: "bob", password: "bob-password" });
    const answer = await callback.GET(request(back, browser));
    expect(answer.headers.get("location")).toBe(`${PUBLIC_URL}/`);
    browser.take(answer);
    expect(await session.readSessionViewer(browser.header())).toEqual({ user: "bob", groups: ["ops"], via: "oidc" });
  });

  it("shows a clear page, no stack, when the user cancels at the provider", async () => {
    const browser = new CookieJar();
    const authorize = await startTrip("/keys/a", browser);
    const back = await throughProvider(authorize, new CookieJar(), "cancel");
    expect(new URL(back).searchParams.get("error")).toBe("access_denied");
    const answer = await callback.GET(request(back, browser));
    expect(answer.status).toBe(401);
    const page = await answer.text();
    expect(page).toContain("the sign-in was cancelled or refused at the provider");
    expect(page).toContain(`href="/auth/sign-in?next=%2Fkeys%2Fa"`);
    expect(page).not.toMatch(/at .*\.(js|ts):\d+|node_modules|\/work\//);
    expect(answer.headers.getSetCookie().some((line) => line.startsWith(`${session.SESSION_COOKIE}=`))).toBe(false);
  });

  it("refuses a provider answer that belongs to another trip (state mismatch)", async () => {
    const victim = new CookieJar();
    await startTrip("/", victim);
    const attacker = new CookieJar();
    const authorize = await startTrip("/", attacker);
    const back = await throughProvider(authorize, new CookieJar(), { username: "bob", password: "bob-password" });
    // The attacker's code, delivered to the victim's browser (login CSRF): the victim's trip has another state.
    const answer = await callback.GET(request(back, victim));
    expect(answer.status).toBe(401);
    expect(await answer.text()).toContain("could not be completed");
    expect(answer.headers.getSetCookie().some((line) => line.startsWith(`${session.SESSION_COOKIE}=`))).toBe(false);
  });

  it("refuses a callback with no trip, or a trip sealed with another key", async () => {
    const none = await callback.GET(request("/auth/callback?code=x&state=y", new CookieJar()));
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Sign in again");
    const forged = new CookieJar();
    forged.cookies.set(session.TRANSACTION_COOKIE, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
    expect((await callback.GET(request("/auth/callback?code=x&state=y", forged))).status).toBe(400);
  });

  it.each([
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/%0a/evil",
    "evil",
    "/\t/evil.example",
    "javascript:alert(1)",
  ])("refuses to start a trip that would return to %j", async (next) => {
    const response = await signIn.GET(request(`/auth/sign-in?next=${encodeURIComponent(next)}`, new CookieJar()));
    if (next === "/%0a/evil") {
      // Percent-escapes stay escapes: this is a path of this dashboard, kept as given.
      expect(response.status).toBe(303);
      return;
    }
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("signs out only from a form posted by the dashboard itself", async () => {
    const browser = new CookieJar();
    browser.cookies.set(
      session.SESSION_COOKIE,
      (await session.createSessionCookie({ user: "alice", groups: ["dev"], via: "oidc" })).split(";")[0].split("=")[1],
    );
    const foreign = await signOut.POST(request("/auth/sign-out", browser, { method: "POST", headers: { origin: "http://evil.example" } }));
    expect(foreign.status).toBe(403);
    expect(foreign.headers.getSetCookie()).toEqual([]);
    const missing = await signOut.POST(request("/auth/sign-out", browser, { method: "POST" }));
    expect(missing.status).toBe(403);
    // A page with Referrer-Policy: no-referrer posts with Origin: null; Sec-Fetch-Site tells where from.
    const crossSite = await signOut.POST(
      request("/auth/sign-out", browser, { method: "POST", headers: { origin: "null", "sec-fetch-site": "cross-site" } }),
    );
    expect(crossSite.status).toBe(403);
    const ownPage = await signOut.POST(
      request("/auth/sign-out", browser, { method: "POST", headers: { origin: "null", "sec-fetch-site": "same-origin" } }),
    );
    expect(ownPage.status).toBe(200);
    const own = await signOut.POST(request("/auth/sign-out", browser, { method: "POST", headers: { origin: PUBLIC_URL } }));
    expect(own.status).toBe(200);
    expect(own.headers.getSetCookie()).toEqual([`${session.SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`]);
    expect(await own.text()).toContain("Signed out");
  });
});

describe("a provider that puts the claims in the ID token", () => {
  it("reads user and groups from the ID token, with no userinfo call needed", async () => {
    const redirectUri = `${PUBLIC_URL}/auth/callback`;
    const second = await startOidcProvider({ redirectUris: [redirectUri], claimsFromUserinfoOnly: false });
    try {
      const { parseOidcSettings } = await import("@/lib/env");
      const { startSignIn, finishSignIn } = await import("@/lib/auth/oidc");
      const settings = parseOidcSettings({ ...process.env, ETCDLENS_OIDC_ISSUER: second.issuer });
      const { url, transaction } = await startSignIn("/", settings);
      const back = await throughProvider(url.href, new CookieJar(), { username: "alice", password: "alice-password" });
      const query = back.slice(back.indexOf("?"));
      expect(await finishSignIn(query, transaction, settings)).toEqual({ user: "alice", groups: ["dev"], via: "oidc" });
      expect(second.requestedPaths).toContain("/token");
      expect(second.requestedPaths).not.toContain("/me");
    } finally {
      await second.stop();
    }
  });
});
