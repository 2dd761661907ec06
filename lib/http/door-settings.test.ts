import { describe, expect, it } from "vitest";
import { ConfigurationError, parseDoorSettings } from "@/lib/env";
import { isAllowedHost } from "./allowed-host";

// The door's settings as lib/env.ts reads them from the environment `next start` runs in.

describe("parseDoorSettings", () => {
  it("answers loopback names on PORT, 3000 when it is not set", () => {
    expect(isAllowedHost("localhost:3000", parseDoorSettings({}))).toBe(true);
    const door = parseDoorSettings({ PORT: "4100" });
    expect(isAllowedHost("localhost:4100", door)).toBe(true);
    expect(isAllowedHost("localhost:3000", door)).toBe(false);
  });

  it("counts HOST's own name on the server's port, unless it means every interface", () => {
    const door = parseDoorSettings({ PORT: "3000", HOST: "10.1.2.3" });
    expect(isAllowedHost("10.1.2.3:3000", door)).toBe(true);
    expect(isAllowedHost("10.1.2.3:8080", door)).toBe(false);
    expect(isAllowedHost("[fd00::5]:3000", parseDoorSettings({ HOST: "fd00::5" }))).toBe(true);
    expect(parseDoorSettings({ HOST: "0.0.0.0" }).allowed).toEqual([]);
    expect(parseDoorSettings({ HOST: "::" }).allowed).toEqual([]);
  });

  it("adds ETCDLENS_ALLOWED_HOSTS and refuses an entry that is not a host", () => {
    const door = parseDoorSettings({ ETCDLENS_ALLOWED_HOSTS: "etcdlens.internal.example,tunnel.example:8443" });
    expect(isAllowedHost("etcdlens.internal.example", door)).toBe(true);
    expect(isAllowedHost("tunnel.example:8443", door)).toBe(true);
    expect(isAllowedHost("evil.example:3000", door)).toBe(false);
    expect(() => parseDoorSettings({ ETCDLENS_ALLOWED_HOSTS: "ok.example, http://x/" })).toThrow(ConfigurationError);
    expect(() => parseDoorSettings({ PORT: "http" })).toThrow(/invalid PORT/);
  });

  it("answers to the host of ETCDLENS_PUBLIC_URL, where sign-in sends users back", () => {
    const door = parseDoorSettings({ PORT: "3000", HOST: "0.0.0.0", ETCDLENS_PUBLIC_URL: "https://etcdlens.example.com/" });
    expect(isAllowedHost("etcdlens.example.com", door)).toBe(true);
    expect(isAllowedHost("other.example.com", door)).toBe(false);
    expect(isAllowedHost("tunnel.example:8443", parseDoorSettings({ ETCDLENS_PUBLIC_URL: "https://tunnel.example:8443" }))).toBe(true);
    expect(() => parseDoorSettings({ ETCDLENS_PUBLIC_URL: "etcdlens.example.com" })).toThrow(/invalid ETCDLENS_PUBLIC_URL/);
  });
});
