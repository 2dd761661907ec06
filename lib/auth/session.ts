import "server-only";
import { hkdfSync, randomBytes } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";
import { getOidcSettings, type OidcSettings } from "@/lib/env";
import type { Viewer } from "./viewer";

// The OpenID Connect session: an encrypted cookie (JWE, dir + A256GCM) holding who signed in and
// until when, nothing else: the ID and access tokens stay on the server for the callback's length
// and are then dropped, so no page script and no cookie jar ever holds them. The sign-in trip's
// own state (state, nonce, PKCE verifier, where to return) travels the same way in a second,
// short-lived cookie. Each cookie has its own key, derived with HKDF from ETCDLENS_SESSION_SECRET.

export const SESSION_COOKIE = "etcdlens_session";
export const TRANSACTION_COOKIE = "etcdlens_signin";
/** How long a sign-in at the provider may take before the trip must start again. */
export const TRANSACTION_TTL_SECONDS = 600;

type CookiePurpose = "session" | "transaction";

// Without a configured secret each process draws its own key. It is kept on globalThis because
// Next bundles the proxy and the route handlers apart: a module variable would give the proxy a
// key the callback never used.
const RANDOM_KEY = Symbol.for("etcdlens.session.random-key");
type KeyHolder = { [RANDOM_KEY]?: Buffer };

function secretOf(settings: OidcSettings): Buffer {
  if (settings.sessionSecret) return Buffer.from(settings.sessionSecret, "utf8");
  const holder = globalThis as KeyHolder;
  if (!holder[RANDOM_KEY]) {
    holder[RANDOM_KEY] = randomBytes(32);
    console.warn("etcdlens: ETCDLENS_SESSION_SECRET is not set; sessions are signed with a key of this process and end when it restarts");
  }
  return holder[RANDOM_KEY];
}

function keyFor(settings: OidcSettings, purpose: CookiePurpose): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secretOf(settings), "etcdlens", `etcdlens ${purpose} cookie v1`, 32));
}

async function seal(settings: OidcSettings, purpose: CookiePurpose, payload: Record<string, unknown>, ttlSeconds: number) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .encrypt(keyFor(settings, purpose));
}

async function open(settings: OidcSettings, purpose: CookiePurpose, token: string): Promise<Record<string, unknown> | null> {
  try {
    const { payload } = await jwtDecrypt(token, keyFor(settings, purpose), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    return payload;
  } catch {
    // Another key (a restart without a secret, a rotated secret), tampered, or expired: no session.
    return null;
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure over https, Max-Age (0 clears it). */
export function cookieHeaderValue(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${name}=${value}`, "Path=/", `Max-Age=${maxAgeSeconds}`, "HttpOnly", "SameSite=Lax", ...(secure ? ["Secure"] : [])].join("; ");
}

const SessionSchema = z.object({ user: z.string().min(1), groups: z.array(z.string()) });

/** The Set-Cookie header that signs `viewer` in for the configured lifetime. */
export async function createSessionCookie(viewer: Viewer, settings: OidcSettings = getOidcSettings()): Promise<string> {
  const token = await seal(settings, "session", { user: viewer.user, groups: viewer.groups }, settings.sessionTtlSeconds);
  return cookieHeaderValue(SESSION_COOKIE, token, settings.sessionTtlSeconds, settings.secureCookies);
}

export function clearCookie(name: string, settings: OidcSettings = getOidcSettings()): string {
  return cookieHeaderValue(name, "", 0, settings.secureCookies);
}

/** The viewer a valid, unexpired session cookie names; null without one. Called by the gate in proxy.ts. */
export async function readSessionViewer(cookieHeader: string | null, settings: OidcSettings = getOidcSettings()): Promise<Viewer | null> {
  const token = readCookie(cookieHeader, SESSION_COOKIE);
  if (!token) return null;
  const parsed = SessionSchema.safeParse(await open(settings, "session", token));
  return parsed.success ? { user: parsed.data.user, groups: parsed.data.groups, via: "oidc" } : null;
}

export type SignInTransaction = { state: string; nonce: string; codeVerifier: string; next: string };

const TransactionSchema = z.object({ state: z.string(), nonce: z.string(), codeVerifier: z.string(), next: z.string() });

export async function createTransactionCookie(transaction: SignInTransaction, settings: OidcSettings = getOidcSettings()): Promise<string> {
  const token = await seal(settings, "transaction", transaction, TRANSACTION_TTL_SECONDS);
  return cookieHeaderValue(TRANSACTION_COOKIE, token, TRANSACTION_TTL_SECONDS, settings.secureCookies);
}

/** The sign-in trip this browser started, or null when it has none, or it expired, or it was forged. */
export async function readTransaction(
  cookieHeader: string | null,
  settings: OidcSettings = getOidcSettings(),
): Promise<SignInTransaction | null> {
  const token = readCookie(cookieHeader, TRANSACTION_COOKIE);
  if (!token) return null;
  const parsed = TransactionSchema.safeParse(await open(settings, "transaction", token));
  return parsed.success ? parsed.data : null;
}
