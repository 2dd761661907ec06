import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError, parseAuthSettingsFrom, parseServerSettings } from "@/lib/env";
import { authenticate, PEER_HEADER, peerAddressOf } from "./authenticate";
import { isTrustedProxy, parseAuthSettings, parseTrustedProxies } from "./settings";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function configFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "etcdlens-auth-")), "config.yaml");
  writeFileSync(path, yaml);
  return path;
}

describe("parseAuthSettings", () => {
  it("keeps sign-in off on loopback and refuses it off loopback, unless told explicitly", () => {
    expect(parseAuthSettings({}, undefined).mode).toBe("none");
    expect(parseAuthSettings({ HOST: "127.0.0.1" }, undefined).mode).toBe("none");
    expect(parseAuthSettings({ HOST: "::1" }, undefined).mode).toBe("none");
    expect(() => parseAuthSettings({ HOST: "0.0.0.0" }, undefined)).toThrow(/no sign-in: set ETCDLENS_AUTH=oidc or ETCDLENS_AUTH=proxy/);
    expect(() => parseAuthSettings({ HOST: "10.0.0.4", ETCDLENS_AUTH: "none" }, undefined)).toThrow(/HOST=10.0.0.4/);
    const open = parseAuthSettings({ HOST: "0.0.0.0", ETCDLENS_AUTH: "none-i-know" }, undefined);
    expect(open).toMatchObject({ mode: "none", unprotectedNetwork: true });
    expect(() => parseAuthSettings({ ETCDLENS_AUTH: "ldap" }, undefined)).toThrow(/invalid ETCDLENS_AUTH/);
  });

  it("needs the user header and the trusted proxies for proxy sign-in", () => {
    expect(() => parseAuthSettings({ ETCDLENS_AUTH: "proxy" }, undefined)).toThrow(/ETCDLENS_PROXY_USER_HEADER/);
    expect(() => parseAuthSettings({ ETCDLENS_AUTH: "proxy", ETCDLENS_PROXY_USER_HEADER: "X-Forwarded-User" }, undefined)).toThrow(
      /ETCDLENS_TRUSTED_PROXIES/,
    );
    const settings = parseAuthSettings(
      {
        ETCDLENS_AUTH: "proxy",
        ETCDLENS_PROXY_USER_HEADER: "X-Forwarded-User",
        ETCDLENS_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
        ETCDLENS_TRUSTED_PROXIES: "10.0.0.0/8, ::1",
      },
      undefined,
    );
    expect(settings.proxy).toMatchObject({ userHeader: "x-forwarded-user", groupsHeader: "x-forwarded-groups" });
  });

  it("reads access rules and tokens, refusing rules that could never apply or grant nothing", () => {
    const settings = parseAuthSettings(
      { ETCDLENS_AUTH: "oidc" },
      {
        access: [{ groups: ["dev"], clusters: ["default"], prefixes: ["/registry/configmaps/"], rights: ["list", "read"] }],
        tokens: [{ name: "ci", sha256: sha256("s3cret"), groups: ["ops"] }],
      },
    );
    expect(settings.rules[0]).toMatchObject({ index: 0, groups: ["dev"], rights: ["list", "read"] });
    expect(settings.tokens[0]).toMatchObject({ name: "ci", revoked: false });
    expect(() => parseAuthSettings({}, { access: [{ clusters: "*", prefixes: [""], rights: ["read"] }] })).toThrow(
      /names no users and no groups/,
    );
    expect(() => parseAuthSettings({}, { access: [{ users: ["a"], clusters: "*", rights: ["read"] }] })).toThrow(/names no prefixes/);
    expect(() => parseAuthSettings({}, { access: [{ users: ["a"], clusters: "*", prefixes: [""], rights: ["write"] }] })).toThrow(
      /access\.0\.rights/,
    );
    expect(() => parseAuthSettings({}, { tokens: [{ name: "ci", sha256: "abc" }] })).toThrow(/64 hexadecimal digits/);
    const twice = { name: "ci", sha256: sha256("x") };
    expect(() => parseAuthSettings({}, { tokens: [twice, { ...twice, name: "cd" }] })).toThrow(/same hash/);
  });

  it("reads a configuration file that holds access rules alone, the cluster then coming from ETCDCTL_*", () => {
    const path = configFile(
      "access:\n  - groups: [dev]\n    clusters: [default]\n    prefixes: [/registry/configmaps/]\n    rights: [list, read]\n",
    );
    const env = { ETCDLENS_CONFIG: path, ETCDLENS_AUTH: "oidc" };
    expect(parseServerSettings(env).clusters.map((cluster) => cluster.name)).toEqual(["default"]);
    expect(parseAuthSettingsFrom(env).rules).toHaveLength(1);
    expect(() => parseAuthSettingsFrom({ ETCDLENS_CONFIG: configFile("access:\n  - users: 3\n") })).toThrow(ConfigurationError);
    expect(() => parseServerSettings({ ETCDLENS_CONFIG: configFile("other: 1\n") })).toThrow(
      /names no cluster, no access rule and no token/,
    );
  });
});

describe("trusted proxies", () => {
  it("matches addresses and ranges, IPv4 also when a dual-stack socket maps it into IPv6", () => {
    const proxy = { userHeader: "x-user", trusted: parseTrustedProxies("10.1.0.0/16, 192.0.2.7, fd00::/8"), trustedText: "" };
    expect(isTrustedProxy(proxy, "10.1.200.3")).toBe(true);
    expect(isTrustedProxy(proxy, "::ffff:10.1.0.9")).toBe(true);
    expect(isTrustedProxy(proxy, "192.0.2.7")).toBe(true);
    expect(isTrustedProxy(proxy, "192.0.2.8")).toBe(false);
    expect(isTrustedProxy(proxy, "fd00::1")).toBe(true);
    expect(isTrustedProxy(proxy, "not an address")).toBe(false);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix length/);
    expect(() => parseTrustedProxies("proxy.internal")).toThrow(/not an address/);
  });
});

describe("authenticate", () => {
  const tokens = [
    { name: "ci", sha256: sha256("good-token"), groups: ["ops"] },
    { name: "old", sha256: sha256("old-token"), groups: ["ops"], revoked: true },
  ];
  const proxyEnv = {
    ETCDLENS_AUTH: "proxy",
    ETCDLENS_PROXY_USER_HEADER: "X-Forwarded-User",
    ETCDLENS_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
    ETCDLENS_TRUSTED_PROXIES: "127.0.0.1",
  };
  const settings = parseAuthSettings(proxyEnv, { tokens });
  const nonce = "n0nce-abc";

  it("believes proxy headers only from a trusted peer stamped by serve.mjs", async () => {
    const headers = (peer: string | undefined) =>
      new Headers({ "x-forwarded-user": "alice", "x-forwarded-groups": "dev, readers", ...(peer ? { [PEER_HEADER]: peer } : {}) });
    expect(await authenticate(settings, { headers: headers(`${nonce} 127.0.0.1`), peerNonce: nonce })).toEqual({
      ok: true,
      viewer: { user: "alice", groups: ["dev", "readers"], via: "proxy" },
    });
    expect(await authenticate(settings, { headers: headers(`${nonce} 10.9.9.9`), peerNonce: nonce })).toMatchObject({
      ok: false,
      reason: "untrusted-proxy",
    });
    // A client that writes the peer header itself does not know the nonce.
    expect(await authenticate(settings, { headers: headers("guess 127.0.0.1"), peerNonce: nonce })).toMatchObject({
      ok: false,
      reason: "no-peer-address",
    });
    // Under a server that stamps nothing (next start), the headers are never believed.
    expect(await authenticate(settings, { headers: headers(`${nonce} 127.0.0.1`) })).toMatchObject({
      ok: false,
      reason: "no-peer-address",
    });
    expect(await authenticate(settings, { headers: new Headers(), peerNonce: nonce })).toMatchObject({
      ok: false,
      reason: "no-credentials",
    });
  });

  it("accepts a known bearer token, names a revoked one and refuses an unknown one", async () => {
    const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
    expect(await authenticate(settings, { headers: bearer("good-token") })).toEqual({
      ok: true,
      viewer: { user: "ci", groups: ["ops"], via: "token" },
    });
    expect(await authenticate(settings, { headers: bearer("old-token") })).toMatchObject({
      ok: false,
      reason: "token-revoked",
      token: "old",
    });
    expect(await authenticate(settings, { headers: bearer("guess") })).toMatchObject({ ok: false, reason: "token-unknown" });
  });

  it("lets everybody in when sign-in is off", async () => {
    expect(await authenticate(parseAuthSettings({}, undefined), { headers: new Headers() })).toMatchObject({
      ok: true,
      viewer: { via: "none" },
    });
  });

  it("reads the peer address only behind the right nonce", () => {
    expect(peerAddressOf(new Headers({ [PEER_HEADER]: `${nonce} ::1` }), nonce)).toBe("::1");
    expect(peerAddressOf(new Headers({ [PEER_HEADER]: `${nonce}x ::1` }), nonce)).toBeUndefined();
    expect(peerAddressOf(new Headers({ [PEER_HEADER]: `${nonce} ::1` }), undefined)).toBeUndefined();
  });
});
