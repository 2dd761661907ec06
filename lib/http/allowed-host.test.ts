import { describe, expect, it } from "vitest";
import { isAllowedHost, parseAllowedHosts, parseHostAddress, type HostPolicy } from "./allowed-host";

const loopbackOnly: HostPolicy = { serverPort: 3000, allowed: [] };

describe("isAllowedHost: loopback names on the server's port", () => {
  it.each([
    "127.0.0.1:3000",
    "localhost:3000",
    "[::1]:3000",
    "LOCALHOST:3000",
    "localhost.:3000",
    "[0:0:0:0:0:0:0:1]:3000",
    "127.0.0.1:03000",
  ])("answers %s", (host) => {
    expect(isAllowedHost(host, loopbackOnly)).toBe(true);
  });

  it.each([
    ["another port", "127.0.0.1:3001"],
    ["no port (80)", "localhost"],
    ["a rebinding name", "evil.example:3000"],
    ["a name that merely starts like localhost", "localhost.evil.example:3000"],
    ["a subdomain of localhost", "app.localhost:3000"],
    ["userinfo tricks", "evil.example:3000@127.0.0.1:3000"],
    ["a path", "127.0.0.1:3000/x"],
    ["an empty header", ""],
    ["a missing header", null],
    ["spaces inside", "127.0.0.1 :3000"],
    ["an unbracketed IPv6", "::1:3000"],
    ["a port out of range", "127.0.0.1:70000"],
    ["a percent-escape", "127.0.0.%31:3000"],
    ["IPv4-mapped IPv6", "[::ffff:127.0.0.1]:3000"],
  ])("refuses %s", (_, host) => {
    expect(isAllowedHost(host, loopbackOnly)).toBe(false);
  });

  it("answers a Host without a port when the server listens on 80", () => {
    expect(isAllowedHost("localhost", { serverPort: 80, allowed: [] })).toBe(true);
    expect(isAllowedHost("localhost:80", { serverPort: 80, allowed: [] })).toBe(true);
  });
});

describe("isAllowedHost: names the operator allowed", () => {
  const policy: HostPolicy = { serverPort: 3000, allowed: parseAllowedHosts("etcdlens.corp.example, Tunnel.Example:8443,[fd00::1]:3000") };

  it("answers an allowed name on any port when it was listed without one", () => {
    for (const host of ["etcdlens.corp.example", "etcdlens.corp.example:443", "ETCDLENS.corp.example.:3000"]) {
      expect(isAllowedHost(host, policy)).toBe(true);
    }
  });

  it("answers a name listed with a port on that port only", () => {
    expect(isAllowedHost("tunnel.example:8443", policy)).toBe(true);
    expect(isAllowedHost("tunnel.example:3000", policy)).toBe(false);
    expect(isAllowedHost("tunnel.example", policy)).toBe(false);
    expect(isAllowedHost("[fd00::1]:3000", policy)).toBe(true);
    expect(isAllowedHost("[fd00:0::1]:3000", policy)).toBe(true);
    expect(isAllowedHost("[fd00::2]:3000", policy)).toBe(false);
  });

  it("still refuses names that only end or start like an allowed one", () => {
    expect(isAllowedHost("evil-etcdlens.corp.example", policy)).toBe(false);
    expect(isAllowedHost("etcdlens.corp.example.evil.example", policy)).toBe(false);
  });
});

describe("parseHostAddress and parseAllowedHosts", () => {
  it("canonicalises names the way a browser writes them", () => {
    expect(parseHostAddress("LocalHost.:3000")).toEqual({ name: "localhost", port: 3000 });
    expect(parseHostAddress("[0:0::1]")).toEqual({ name: "[::1]", port: undefined });
    expect(parseHostAddress("127.0.0.1:80")).toEqual({ name: "127.0.0.1", port: 80 });
    expect(parseHostAddress("a@b")).toBeUndefined();
    expect(parseHostAddress(".")).toBeUndefined();
  });

  it("names the entry that is not a host", () => {
    expect(parseAllowedHosts(undefined)).toEqual([]);
    expect(parseAllowedHosts(" a.example , ,b.example:81 ")).toEqual(
      [{ name: "a.example" }, { name: "b.example", port: 81 }].map((entry) => ({ port: undefined, ...entry })),
    );
    expect(() => parseAllowedHosts("good.example,https://bad.example/")).toThrow(/"https:\/\/bad.example\/" is not a host/);
  });
});
