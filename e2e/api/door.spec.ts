import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { expect, test } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { param, pageOf } from "../support/api";

// The door of the production server: requests addressed to a host name it does not go by are
// refused (DNS rebinding), and every answer carries the security headers. Sent with node:http so
// that the Host header is exactly what a rebinding page's browser would send.

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

// playwright.config.ts chooses the port and global setup starts the server on it.
const port = Number(process.env.ETCDLENS_E2E_PORT);

/** One request to the server, with the given Host header; an event stream is cut after its headers. */
function send(path: string, init: { host?: string | null; method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const host = init.host === undefined ? `127.0.0.1:${port}` : init.host;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: init.method ?? "GET",
        setHost: false,
        headers: { ...(host === null ? {} : { host }), ...init.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        const done = () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (String(response.headers["content-type"]).startsWith("text/event-stream")) {
          response.destroy();
          return done();
        }
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", done);
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end();
  });
}

let staticAsset = "";

test.beforeAll(async () => {
  const page = await send("/keys");
  staticAsset = /\/_next\/static\/[^"]+\.js/.exec(page.body)?.[0] ?? "";
  expect(staticAsset, "the page names its script chunks").not.toBe("");
});

const paths = () => ({
  root: "/",
  page: pageOf(DEMO_KEYS.deployment),
  api: `/api/key?key=${param(DEMO_KEYS.secret)}`,
  listing: `/api/keys?prefix=${param("/registry/secrets/")}`,
  watch: `/api/watch?prefix=${param("/registry/")}`,
  asset: staticAsset,
  redirect: "/keys/registry/",
});

const HOSTILE_HOSTS = [
  `evil.example:${port}`,
  `localhost.evil.example:${port}`,
  `127.0.0.1.nip.io:${port}`,
  `127.0.0.1:${port + 1}`,
  "localhost",
];

test("refuses pages, the API, the event stream and assets addressed to a name the server does not go by", async () => {
  let refused = 0;
  for (const host of HOSTILE_HOSTS) {
    for (const [what, path] of Object.entries(paths())) {
      const answer = await send(path, { host });
      expect(answer.status, `${what} via ${host}`).toBe(403);
      expect(answer.body, `${what} via ${host}`).not.toContain("db-credentials");
      if (path.startsWith("/api/")) {
        expect(answer.headers["content-type"]).toContain("application/json");
        const body = JSON.parse(answer.body);
        expect(body.error.code).toBe("forbidden");
        expect(body.error.message).toContain("ETCDLENS_ALLOWED_HOSTS");
      } else {
        expect(answer.headers["content-type"]).toContain("text/html");
        expect(answer.body).toContain("ETCDLENS_ALLOWED_HOSTS");
      }
      refused += 1;
    }
  }
  expect(refused).toBe(HOSTILE_HOSTS.length * Object.keys(paths()).length);
});

test("refuses a request with no Host header, and one that only claims the right host in X-Forwarded-Host", async () => {
  // Node's HTTP server itself refuses an HTTP/1.1 request without Host (400) before Next sees it.
  const hostless = await send(paths().api, { host: null });
  expect([400, 403]).toContain(hostless.status);
  expect(hostless.body).not.toContain("db-credentials");
  const forwarded = await send(paths().api, { host: `evil.example:${port}`, headers: { "x-forwarded-host": `127.0.0.1:${port}` } });
  expect(forwarded.status).toBe(403);
});

test("answers the loopback names on its port", async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`]) {
    for (const [what, path] of Object.entries(paths())) {
      const answer = await send(path, { host });
      // "/" redirects to /keys, and a trailing slash is dropped.
      expect(answer.status, `${what} via ${host}`).toBe(({ root: 307, redirect: 308 } as Record<string, number>)[what] ?? 200);
    }
  }
});

const SECURITY_HEADERS = { "x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

function expectSecurityHeaders(answer: Answer, what: string) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers[name], `${what}: ${name}`).toBe(value);
  const policy = String(answer.headers["content-security-policy"]);
  expect(policy, what).toContain("frame-ancestors 'none'");
  expect(policy, what).not.toContain("unsafe-inline");
  expect(policy, what).not.toContain("unsafe-eval");
  for (const name of Object.keys(answer.headers)) expect(name, `${what} sends no CORS header`).not.toMatch(/^access-control-/);
}

test("every kind of answer carries the security headers and no CORS header", async () => {
  const answers: [string, Answer][] = [
    ["page", await send(pageOf(DEMO_KEYS.deployment))],
    ["not-found page", await send("/no/such/page")],
    ["API JSON", await send(`/api/key?key=${param(DEMO_KEYS.deployment)}`, { headers: { origin: "http://evil.example" } })],
    ["API error", await send("/api/history?key=", { headers: { origin: "http://evil.example" } })],
    ["raw download", await send(`/api/raw?key=${param(DEMO_KEYS.deployment)}`)],
    ["refused raw download of a Secret", await send(`/api/raw?key=${param(DEMO_KEYS.secret)}`)],
    ["event stream", await send(`/api/watch?prefix=${param("/registry/")}`)],
    ["static asset", await send(staticAsset)],
    ["trailing-slash redirect", await send("/keys/registry/?rev=1")],
    ["refused host", await send("/api/keys", { host: `evil.example:${port}` })],
    [
      "CORS preflight",
      await send(`/api/key?key=${param(DEMO_KEYS.secret)}`, {
        method: "OPTIONS",
        headers: {
          origin: "http://evil.example",
          "access-control-request-method": "GET",
          "access-control-request-headers": "content-type",
        },
      }),
    ],
  ];
  for (const [what, answer] of answers) expectSecurityHeaders(answer, what);
  const byName = Object.fromEntries(answers);
  expect(byName["API error"].status).toBe(400);
  expect(byName["raw download"].status).toBe(200);
  expect(byName["refused raw download of a Secret"].status).toBe(403);
  expect(byName["event stream"].headers["content-type"]).toContain("text/event-stream");
  expect(byName["not-found page"].status).toBe(404);
  expect(byName["trailing-slash redirect"].status).toBe(308);
  expect(byName["trailing-slash redirect"].headers.location).toBe("/keys/registry?rev=1");
  // A doubled leading slash must not turn the redirect into one to another site.
  const doubled = await send("//evil.example/");
  expect(doubled.headers.location ?? "").not.toMatch(/^(https?:)?\/\/evil\.example/);
});

test("a page's policy allows only this server's scripts and the nonce Next stamps on its own", async () => {
  const first = await send(pageOf(DEMO_KEYS.deployment));
  const second = await send(pageOf(DEMO_KEYS.deployment));
  const nonceOf = (answer: Answer) => /'nonce-([^']+)'/.exec(String(answer.headers["content-security-policy"]))?.[1];
  const nonce = nonceOf(first);
  expect(nonce).toBeTruthy();
  expect(nonceOf(second)).not.toBe(nonce);
  const policy = String(first.headers["content-security-policy"]);
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("base-uri 'none'");
  const scripts = first.body.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
  // Nothing the browser would refuse or that would need 'unsafe-inline'.
  expect(first.body).not.toMatch(/<style(?![^>]*nonce=)/);
  expect(first.body).not.toMatch(/\sstyle="/);
  // API answers get a policy that lets nothing run at all.
  const api = await send(`/api/key?key=${param(DEMO_KEYS.deployment)}`);
  expect(api.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
});
