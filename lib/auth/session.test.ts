import { afterEach, describe, expect, it, vi } from "vitest";
import { parseOidcSettings } from "@/lib/env";
import { cookieHeaderValue, createSessionCookie, readCookie, readSessionViewer, SESSION_COOKIE } from "./session";

const BASE = {
  ETCDLENS_OIDC_ISSUER: "https://dex.example.com",
  ETCDLENS_OIDC_CLIENT_ID: "etcdlens",
  ETCDLENS_PUBLIC_URL: "https://etcdlens.example.com/",
  ETCDLENS_SESSION_SECRET: "0123456789abcdef0123456789abcdef",
};

const alice = { user: "alice", groups: ["dev"], via: "oidc" as const };

function asCookieHeader(setCookie: string): string {
  return setCookie.split(";")[0];
}

// A new process without ETCDLENS_SESSION_SECRET draws a new key: forget this one's.
function restartProcess(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("etcdlens.session.random-key")];
}

afterEach(() => {
  vi.useRealTimers();
});

describe("OIDC settings", () => {
  it("derives the redirect URI, Secure cookies over https, the default scopes and lifetime", () => {
    const settings = parseOidcSettings(BASE);
    expect(settings.redirectUri).toBe("https://etcdlens.example.com/auth/callback");
    expect(settings.secureCookies).toBe(true);
    expect(settings.scopes).toBe("openid profile email groups");
    expect(settings.sessionTtlSeconds).toBe(8 * 3600);
    expect(parseOidcSettings({ ...BASE, ETCDLENS_PUBLIC_URL: "http://127.0.0.1:3000" }).secureCookies).toBe(false);
    expect(parseOidcSettings({ ...BASE, ETCDLENS_OIDC_GROUPS_CLAIM: "roles" }).scopes).toBe("openid profile email");
    expect(parseOidcSettings({ ...BASE, ETCDLENS_SESSION_TTL: "30m" }).sessionTtlSeconds).toBe(1800);
    expect(parseOidcSettings({ ...BASE, ETCDLENS_PUBLIC_URL: "https://example.com/etcdlens/" }).redirectUri).toBe(
      "https://example.com/etcdlens/auth/callback",
    );
  });

  it("refuses what would not work, naming the variable", () => {
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_OIDC_ISSUER: "" })).toThrow("needs ETCDLENS_OIDC_ISSUER");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_PUBLIC_URL: undefined })).toThrow("needs ETCDLENS_PUBLIC_URL");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_PUBLIC_URL: "etcdlens.example.com" })).toThrow("invalid ETCDLENS_PUBLIC_URL");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_SESSION_SECRET: "short" })).toThrow("at least 32 characters");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_SESSION_TTL: "8 hours" })).toThrow("invalid ETCDLENS_SESSION_TTL");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_SESSION_TTL: "0h" })).toThrow("invalid ETCDLENS_SESSION_TTL");
    expect(() => parseOidcSettings({ ...BASE, ETCDLENS_OIDC_SCOPES: "profile" })).toThrow('include "openid"');
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, Max-Age the lifetime, and Secure over https only", async () => {
    const https = await createSessionCookie(alice, parseOidcSettings({ ...BASE, ETCDLENS_SESSION_TTL: "2h" }));
    expect(https).toMatch(/^etcdlens_session=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=7200; HttpOnly; SameSite=Lax; Secure$/);
    const http = await createSessionCookie(alice, parseOidcSettings({ ...BASE, ETCDLENS_PUBLIC_URL: "http://127.0.0.1:3000" }));
    expect(http).toMatch(/; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/);
    expect(cookieHeaderValue(SESSION_COOKIE, "", 0, true)).toBe("etcdlens_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
  });

  it("reads back who signed in, and nothing from a cookie altered by one character", async () => {
    const settings = parseOidcSettings(BASE);
    const cookie = asCookieHeader(await createSessionCookie(alice, settings));
    expect(await readSessionViewer(`theme=dark; ${cookie}; other=1`, settings)).toEqual(alice);
    const value = cookie.slice(cookie.indexOf("=") + 1);
    const flipped = value.slice(0, -3) + (value.at(-3) === "A" ? "B" : "A") + value.slice(-2);
    expect(await readSessionViewer(`${SESSION_COOKIE}=${flipped}`, settings)).toBeNull();
    expect(await readSessionViewer(null, settings)).toBeNull();
    expect(await readSessionViewer("etcdlens_session=not-a-jwe", settings)).toBeNull();
    expect(readCookie("a=1; b=2=3", "b")).toBe("2=3");
  });

  it("expires with its lifetime", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const settings = parseOidcSettings({ ...BASE, ETCDLENS_SESSION_TTL: "60s" });
    const cookie = asCookieHeader(await createSessionCookie(alice, settings));
    vi.setSystemTime(new Date("2026-01-01T00:00:59Z"));
    expect(await readSessionViewer(cookie, settings)).toEqual(alice);
    vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
    expect(await readSessionViewer(cookie, settings)).toBeNull();
  });

  it("survives a restart with ETCDLENS_SESSION_SECRET, ends with one without, and ends when the secret changes", async () => {
    const configured = parseOidcSettings(BASE);
    const kept = asCookieHeader(await createSessionCookie(alice, configured));
    restartProcess();
    expect(await readSessionViewer(kept, parseOidcSettings(BASE))).toEqual(alice);
    expect(
      await readSessionViewer(kept, parseOidcSettings({ ...BASE, ETCDLENS_SESSION_SECRET: "another-secret-of-32-characters-xx" })),
    ).toBeNull();

    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const random = parseOidcSettings({ ...BASE, ETCDLENS_SESSION_SECRET: undefined });
    const lost = asCookieHeader(await createSessionCookie(alice, random));
    expect(await readSessionViewer(lost, random)).toEqual(alice);
    expect(warn).toHaveBeenCalledTimes(1);
    restartProcess();
    expect(await readSessionViewer(lost, random)).toBeNull();
    warn.mockRestore();
  });
});
