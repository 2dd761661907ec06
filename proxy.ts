import { NextResponse, type NextRequest } from "next/server";
import { RAW_QUERY_HEADER } from "@/lib/api/raw-query";
import { recordAudit } from "@/lib/audit";
import { authenticate, peerAddressOf, type Authentication } from "@/lib/auth/authenticate";
import type { AuthSettings } from "@/lib/auth/settings";
import { readSessionViewer } from "@/lib/auth/session";
import { encodeViewer, VIEWER_HEADER } from "@/lib/auth/viewer-header";
import {
  ConfigurationError,
  getAuthSettings,
  getDoorSettings,
  getMetricsSettings,
  getOidcSettings,
  getPeerNonce,
  type DoorSettings,
} from "@/lib/env";
import { isAllowedHost } from "@/lib/http/allowed-host";
import { refuseBadLink } from "@/lib/http/refuse-bad-link";
import { refuseHost, refuseMisconfigured } from "@/lib/http/refuse-host";
import { refuseUnauthenticated, signInLocation } from "@/lib/http/refuse-unauthenticated";
import { METRICS_PATH, metricsOpenWithoutSignIn } from "@/lib/metrics/access";
import { createNonce, pageContentSecurityPolicy, RESOURCE_CONTENT_SECURITY_POLICY, setSecurityHeaders } from "@/lib/http/security-headers";

// Every request passes here first (no matcher): pages, the API, the event stream and static
// assets alike. It is the door: a request addressed to a host name this server does not go by is
// refused (DNS rebinding, see lib/http/allowed-host.ts), and every answer carries the security
// headers (lib/http/security-headers.ts). It is also where sign-in is checked: every request but
// the public ones (isPublicPath) must say who sends it (lib/auth/authenticate.ts), and route
// handlers learn who from a header only this proxy writes.
export async function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  // /metrics answers a scraper, not a browser: refusals as JSON, never a redirect to sign in.
  const api = path === "/api" || path.startsWith("/api/") || path === METRICS_PATH;
  let door: DoorSettings;
  let auth: AuthSettings;
  let metricsOpen = false;
  try {
    door = getDoorSettings();
    auth = getAuthSettings();
    if (auth.mode === "oidc") getOidcSettings();
    if (path === METRICS_PATH) metricsOpen = metricsOpenWithoutSignIn(request.headers, getMetricsSettings());
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return withHeaders(refuseMisconfigured(error.message, api), RESOURCE_CONTENT_SECURITY_POLICY);
  }
  const host = request.headers.get("host");
  if (!isAllowedHost(host, door)) return withHeaders(refuseHost(host, door, api), RESOURCE_CONTENT_SECURITY_POLICY);
  const badLink = refuseBadLink(path, api);
  if (badLink) return withHeaders(badLink, RESOURCE_CONTENT_SECURITY_POLICY);
  if (path.length > 1 && path.endsWith("/")) return withHeaders(redirectWithoutTrailingSlash(request), RESOURCE_CONTENT_SECURITY_POLICY);

  const headers = new Headers(request.headers);
  headers.delete(VIEWER_HEADER);
  if (!isPublicPath(path) && !metricsOpen) {
    const result = await authenticate(auth, { headers: request.headers, peerNonce: getPeerNonce(), readSession: readSessionViewer });
    if (!result.ok) {
      auditRefusal(result, request);
      if (!api && auth.mode === "oidc" && result.reason === "no-credentials") {
        return withHeaders(redirectToSignIn(request), RESOURCE_CONTENT_SECURITY_POLICY);
      }
      return withHeaders(refuseUnauthenticated(result.message, api), RESOURCE_CONTENT_SECURITY_POLICY);
    }
    headers.set(VIEWER_HEADER, encodeViewer(result.viewer));
  }
  // Next re-encodes a request's query string before route handlers see it, turning percent-escapes
  // that are not valid UTF-8 (%FF) into U+FFFD. Keys are bytes, so the API reads the query exactly
  // as the client sent it: with skipProxyUrlNormalize the proxy sees the original URL and passes
  // its query on in a header, always overwriting whatever a client put there.
  if (api) {
    const queryStart = request.url.indexOf("?");
    headers.set(RAW_QUERY_HEADER, queryStart < 0 ? "" : request.url.slice(queryStart));
  }
  let policy = RESOURCE_CONTENT_SECURITY_POLICY;
  if (!api && !path.startsWith("/_next/static/")) {
    // Next reads the nonce from the request's policy and stamps it on the scripts it renders.
    const nonce = createNonce();
    policy = pageContentSecurityPolicy(nonce, door.development);
    headers.set("content-security-policy", policy);
    headers.set("x-nonce", nonce);
  }
  return withHeaders(NextResponse.next({ request: { headers } }), policy);
}

// Next's own trailing-slash redirect answers before the proxy runs, so it would skip the Host
// check and the headers; next.config.ts turns it off (skipTrailingSlashRedirect) and it is made
// here, the same way: permanent, query kept byte for byte. Leading slashes are collapsed so that
// "//evil.example/" cannot become a redirect to another site.
function redirectWithoutTrailingSlash(request: NextRequest): Response {
  const path = request.nextUrl.pathname.replace(/\/+$/, "").replace(/^\/+/, "/") || "/";
  const queryStart = request.url.indexOf("?");
  const query = queryStart < 0 ? "" : request.url.slice(queryStart);
  // Next's proxy adapter wants an absolute Location. The host is the request's own Host, already
  // checked (nextUrl.origin would say "localhost" for 127.0.0.1, another origin for the browser).
  const origin = `${request.nextUrl.protocol}//${request.headers.get("host")}`;
  return new Response(null, { status: 308, headers: { location: `${origin}${path}${query}` } });
}

// A credential that was presented and refused is worth a line in the audit trail (a revoked token
// still in use, headers forged past the proxy); a request with no credentials at all is just a
// visitor on the way to sign in.
function auditRefusal(result: Extract<Authentication, { ok: false }>, request: NextRequest): void {
  if (result.reason === "no-credentials") return;
  const remoteAddress = peerAddressOf(request.headers, getPeerNonce());
  recordAudit({
    user: result.token ?? "unknown",
    groups: [],
    via: result.reason.startsWith("token") ? "token" : "proxy",
    action: result.reason.startsWith("token") ? "token-refused" : "denied",
    outcome: "denied",
    reason: result.message,
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

// What anyone may fetch without signing in: the health check (probes), the sign-in routes
// themselves, and the static files every page, the sign-in pages included, needs. /metrics may
// be too, on conditions (lib/metrics/access.ts).
function isPublicPath(path: string): boolean {
  return (
    path === "/api/healthz" ||
    path.startsWith("/auth/") ||
    path.startsWith("/_next/static/") ||
    path === "/icon.svg" ||
    path === "/favicon.ico"
  );
}

// The sign-in trip keeps the URL exactly as the browser sent it (percent-escapes and all), so a
// deep link to a key lands on that key.
function redirectToSignIn(request: NextRequest): Response {
  const afterOrigin = request.url.indexOf("/", request.url.indexOf("//") + 2);
  const pathAndQuery = afterOrigin < 0 ? "/" : request.url.slice(afterOrigin);
  const origin = `${request.nextUrl.protocol}//${request.headers.get("host")}`;
  return new Response(null, { status: 307, headers: { location: signInLocation(origin, pathAndQuery) } });
}

function withHeaders<T extends Response>(response: T, policy: string): T {
  setSecurityHeaders(response.headers, policy);
  return response;
}
