import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAuthSettingsFrom, parseDoorSettings, parseOidcSettings } from "@/lib/env";

// docker-compose.yml cannot be run here (no Docker engine), so it is checked as far as it can be
// without one: every dashboard service's environment, as Compose would hand it over, is read by the
// server's own settings code (a dashboard on 0.0.0.0 with no sign-in would refuse to start), the
// files it mounts exist, it is published on the host's loopback only, and the team profile's
// dashboard and Dex agree on the client, the issuer and the redirect URI.

const root = fileURLToPath(new URL("../../", import.meta.url));

type Service = {
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  network_mode?: string;
  command?: string | string[];
};
const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8")) as { services: Record<string, Service> };
const dashboards = Object.entries(compose.services).filter(([, service]) => service.environment?.HOST !== undefined);

/** Paths inside the container under /app are this checkout (mounted at /app). */
function onHost(path: string): string {
  return path.startsWith("/app/") ? join(root, path.slice("/app/".length)) : path;
}

function environmentOf(service: Service): Record<string, string> {
  const env = { ...service.environment! };
  if (env.ETCDLENS_CONFIG) env.ETCDLENS_CONFIG = onHost(env.ETCDLENS_CONFIG);
  return env;
}

describe("docker-compose.yml", () => {
  it("has the default dashboard and the team profile's one", () => {
    expect(dashboards.map(([name]) => name).sort()).toEqual(["dashboard", "dashboard-team"]);
  });

  it("starts every dashboard: its environment passes the settings code that decides whether the server starts", () => {
    for (const [name, service] of dashboards) {
      const env = environmentOf(service);
      expect(() => parseAuthSettingsFrom(env), name).not.toThrow();
      expect(() => parseDoorSettings(env), name).not.toThrow();
      if (env.ETCDLENS_AUTH === "oidc") expect(() => parseOidcSettings(env), name).not.toThrow();
    }
  });

  it("publishes everything on the host's loopback only, and mounts only files that exist", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0];
        if (source.startsWith(".")) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it("the team dashboard and Dex agree on the issuer, the client and the redirect URI; two dashboards never share a build folder", () => {
    const team = environmentOf(compose.services["dashboard-team"]);
    const dex = parse(readFileSync(join(root, "scripts/deploy/compose/dex.yaml"), "utf8")) as {
      issuer: string;
      staticClients: { id: string; secret: string; redirectURIs: string[] }[];
      staticPasswords: { username: string; hash: string }[];
    };
    expect(team.ETCDLENS_OIDC_ISSUER).toBe(dex.issuer);
    const client = dex.staticClients.find((candidate) => candidate.id === team.ETCDLENS_OIDC_CLIENT_ID);
    expect(client?.secret).toBe(team.ETCDLENS_OIDC_CLIENT_SECRET);
    expect(client?.redirectURIs).toEqual([`${team.ETCDLENS_PUBLIC_URL}/auth/callback`]);
    // The browser reaches both at these loopback addresses, and the dashboard reaches Dex at the same
    // issuer URL because it shares Dex's network namespace.
    expect(compose.services["dashboard-team"].network_mode).toBe("service:dex");
    const published = compose.services.dex.ports ?? [];
    for (const url of [dex.issuer, team.ETCDLENS_PUBLIC_URL])
      expect(published).toContain(`127.0.0.1:${new URL(url).port}:${new URL(url).port}`);
    // The access rules name the users Dex knows.
    const rules = parse(readFileSync(team.ETCDLENS_CONFIG, "utf8")) as { access: { users?: string[] }[] };
    const named = rules.access.flatMap((rule) => rule.users ?? []);
    for (const user of dex.staticPasswords.map((entry) => entry.username)) expect(named).toContain(user);
    for (const entry of dex.staticPasswords) expect(entry.hash).toMatch(/^\$2[aby]\$\d{2}\$.{53}$/);
    expect(compose.services.dashboard.environment?.ETCDLENS_DIST_DIR).not.toBe(team.ETCDLENS_DIST_DIR);
  });
});
