import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { isTrustedProxy, type AuthSettings, type BearerToken } from "./settings";
import { ANONYMOUS_LOOPBACK_VIEWER, type Viewer } from "./viewer";

// Turns a request into who sent it, or into why nobody is believed: the first step of the gate in
// proxy.ts. A bearer token is tried first (scripts and the JSON API, in every sign-in mode), then
// the mode's own way: trusted proxy headers, or the OpenID Connect session cookie.

/** The header scripts/serve.mjs stamps on every request: "<nonce> <peer address>". */
export const PEER_HEADER = "x-etcdlens-peer";

export type Authentication =
  | { ok: true; viewer: Viewer }
  | {
      ok: false;
      reason: "no-credentials" | "token-unknown" | "token-revoked" | "untrusted-proxy" | "no-peer-address";
      message: string;
      token?: string;
    };

export type AuthenticationInput = {
  headers: Headers;
  /** The nonce serve.mjs was started with (lib/env.ts getPeerNonce); undefined when nothing stamps peers. */
  peerNonce?: string;
  /** Reads the session cookie (lib/auth/session.ts) in oidc mode. */
  readSession?: (cookieHeader: string | null) => Promise<Viewer | null>;
};

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function findToken(tokens: readonly BearerToken[], presented: string): BearerToken | undefined {
  const hash = Buffer.from(sha256Hex(presented), "hex");
  // Every entry is compared, so the time taken says nothing about which hash came close.
  let found: BearerToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(hash, Buffer.from(token.sha256, "hex"))) found = token;
  }
  return found;
}

function bearerOf(headers: Headers): string | undefined {
  const header = headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The peer address serve.mjs saw, when the header carries its nonce; anything else is a forgery or another server. */
export function peerAddressOf(headers: Headers, nonce: string | undefined): string | undefined {
  const header = headers.get(PEER_HEADER);
  if (!nonce || !header) return undefined;
  const space = header.indexOf(" ");
  if (space < 0) return undefined;
  const given = Buffer.from(header.slice(0, space));
  const expected = Buffer.from(nonce);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return header.slice(space + 1).trim() || undefined;
}

function groupsFrom(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((group) => group.trim())
    .filter(Boolean);
}

export async function authenticate(settings: AuthSettings, input: AuthenticationInput): Promise<Authentication> {
  if (settings.mode === "none") return { ok: true, viewer: ANONYMOUS_LOOPBACK_VIEWER };
  const presented = bearerOf(input.headers);
  if (presented !== undefined) {
    const token = findToken(settings.tokens, presented);
    if (!token) return { ok: false, reason: "token-unknown", message: "the bearer token is not one this server knows" };
    if (token.revoked)
      return { ok: false, reason: "token-revoked", message: `the bearer token "${token.name}" has been revoked`, token: token.name };
    return { ok: true, viewer: { user: token.name, groups: token.groups, via: "token" } };
  }
  if (settings.mode === "proxy" && settings.proxy) {
    const proxy = settings.proxy;
    const user = input.headers.get(proxy.userHeader)?.trim();
    if (!user)
      return { ok: false, reason: "no-credentials", message: `not signed in: no ${proxy.userHeader} header from the sign-in proxy` };
    const peer = peerAddressOf(input.headers, input.peerNonce);
    if (!peer) {
      return {
        ok: false,
        reason: "no-peer-address",
        message: "proxy sign-in needs the server started with `npm start` (scripts/serve.mjs), which tells it who connected",
      };
    }
    if (!isTrustedProxy(proxy, peer)) {
      return {
        ok: false,
        reason: "untrusted-proxy",
        message: `sign-in headers are only believed from ETCDLENS_TRUSTED_PROXIES, not from ${peer}`,
      };
    }
    return {
      ok: true,
      viewer: { user, groups: proxy.groupsHeader ? groupsFrom(input.headers.get(proxy.groupsHeader)) : [], via: "proxy" },
    };
  }
  if (settings.mode === "oidc" && input.readSession) {
    const viewer = await input.readSession(input.headers.get("cookie"));
    if (viewer) return { ok: true, viewer };
  }
  return { ok: false, reason: "no-credentials", message: "not signed in" };
}
