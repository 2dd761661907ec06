import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getCluster } from "@/app/api/cluster/route";
import { GET as getHealth } from "@/app/api/healthz/route";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { GET as getRaw } from "@/app/api/raw/route";
import { apiRoute } from "@/lib/api/route";
import { AppError } from "@/lib/errors";
import { encodeKeyParam } from "@/lib/keys";
import { findFreePort, scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, startTestEtcd } from "./support";
import { makeTestPki, type TestPki } from "./tls";

// A dashboard started with TLS settings that cannot work must say, on every request, which
// setting is wrong, in words a browser may show: no file path of the server, no stack trace, no
// gRPC or OpenSSL text. The server's log gets the real cause. Every cluster below is a real etcd
// over TLS with client-certificate auth (or a port nothing listens on), misconfigured one way.

let dir: string;
let pki: TestPki;
let foreign: TestPki;
let tlsEtcd: EtcdProcess;
let deadPort: number;

beforeAll(async () => {
  dir = scratchDir(join(tmpdir(), "etcdlens-test"), "misconfigured");
  pki = makeTestPki(join(dir, "pki"));
  foreign = makeTestPki(join(dir, "foreign-pki"));
  tlsEtcd = await startTestEtcd("misconfigured-tls", { tls: pki.server });
  deadPort = await findFreePort();
  const cluster = (name: string, fields: Record<string, string>) =>
    `  - name: ${name}\n    endpoints: [${fields.endpoint ?? tlsEtcd.endpoint}]\n` +
    Object.entries(fields)
      .filter(([field]) => field !== "endpoint")
      .map(([field, value]) => `    ${field}: ${value}\n`)
      .join("");
  const configFile = join(dir, "clusters.yaml");
  writeFileSync(
    configFile,
    "clusters:\n" +
      cluster("wrong-ca", { cacert: pki.otherCaFile, cert: pki.client.certFile, key: pki.client.keyFile }) +
      cluster("no-client-cert", { cacert: pki.client.caFile }) +
      cluster("foreign-client-cert", { cacert: pki.client.caFile, cert: foreign.client.certFile, key: foreign.client.keyFile }) +
      cluster("nothing-listens", {
        endpoint: `https://127.0.0.1:${deadPort}`,
        cacert: pki.client.caFile,
        cert: pki.client.certFile,
        key: pki.client.keyFile,
      }) +
      cluster("missing-ca", { cacert: "no-such-ca.crt" }) +
      cluster("log-me", { cacert: "log-me-ca.crt" }) +
      cluster("works", { cacert: pki.client.caFile, cert: pki.client.certFile, key: pki.client.keyFile }),
  );
  // The ETCDCTL_* cluster points at a key file that is not there.
  process.env.ETCDCTL_ENDPOINTS = tlsEtcd.endpoint;
  process.env.ETCDCTL_CACERT = pki.client.caFile;
  process.env.ETCDCTL_CERT = pki.client.certFile;
  process.env.ETCDCTL_KEY = join(dir, "absent-client.key");
  process.env.ETCDLENS_CONFIG = configFile;
  process.env.ETCDLENS_REQUEST_TIMEOUT_MS = "2000";
});

afterAll(async () => {
  await tlsEtcd?.stop();
  for (const name of [
    "ETCDCTL_ENDPOINTS",
    "ETCDCTL_CACERT",
    "ETCDCTL_CERT",
    "ETCDCTL_KEY",
    "ETCDLENS_CONFIG",
    "ETCDLENS_REQUEST_TIMEOUT_MS",
  ]) {
    delete process.env[name];
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

const EXPECTED: [cluster: string, message: RegExp][] = [
  ["default", /ETCDCTL_KEY: the file cannot be read/],
  ["missing-ca", /ETCDLENS_CONFIG cluster "missing-ca" cacert: the file cannot be read/],
  ["wrong-ca", /the certificate of etcd at https:\/\/127\.0\.0\.1:\d+ is not signed by ETCDLENS_CONFIG cluster "wrong-ca" cacert$/],
  [
    "no-client-cert",
    /etcd at https:\/\/127\.0\.0\.1:\d+ requires a client certificate; set ETCDLENS_CONFIG cluster "no-client-cert" cert and ETCDLENS_CONFIG cluster "no-client-cert" key$/,
  ],
  [
    "foreign-client-cert",
    /etcd at https:\/\/127\.0\.0\.1:\d+ rejected the client certificate \(ETCDLENS_CONFIG cluster "foreign-client-cert" cert and .* key\): it is not signed by a CA etcd trusts$/,
  ],
  ["nothing-listens", /^nothing accepts connections at https:\/\/127\.0\.0\.1:\d+ \(connection refused\)$/],
];

function clusterQuery(cluster: string): string {
  return cluster === "default" ? "" : `cluster=${cluster}`;
}

describe("a cluster whose TLS settings cannot work", () => {
  it.each(EXPECTED)("%s: 502 with a message that names the setting to fix", async (cluster, message) => {
    const { status, body } = await callRoute(getCluster, `/api/cluster?view=header&${clusterQuery(cluster)}`);
    expect(status).toBe(502);
    expect(body.error.code).toBe("etcd_unavailable");
    expect(body.error.message).toMatch(message);
  });

  it("the same etcd answers the cluster whose settings are right", async () => {
    const { status, body } = await callRoute(getCluster, "/api/cluster?view=header&cluster=works");
    expect(status).toBe(200);
    expect(Number(body.revision)).toBeGreaterThan(0);
  });

  it("no answer of any route carries a server path, a stack trace or the TLS library's text", async () => {
    const key = encodeKeyParam(Buffer.from("/registry/secrets/default/x"));
    const routes: [(request: Request) => Promise<Response>, string][] = [
      [getCluster, "/api/cluster?"],
      [getCluster, "/api/cluster?view=header&"],
      [getHealth, "/api/healthz?"],
      [getKey, `/api/key?key=${key}&`],
      [getHistory, `/api/history?key=${key}&`],
      [getRaw, `/api/raw?key=${key}&`],
    ];
    let scanned = 0;
    for (const [cluster] of EXPECTED) {
      for (const [route, path] of routes) {
        const response = await route(new Request(`http://127.0.0.1${path}${clusterQuery(cluster)}`));
        const text = await response.text();
        expect(response.status, `${cluster} ${path}`).toBeGreaterThanOrEqual(route === getHealth ? 200 : 400);
        expect(text, `${cluster} ${path}`).not.toContain(dir);
        expect(text, `${cluster} ${path}`).not.toContain(tmpdir());
        expect(text).not.toMatch(/\s{2,}at |\bat .*:\d+:\d+/);
        expect(text).not.toMatch(/Last error|openssl|SSL routines|ENOENT|no such file/i);
        expect(text).not.toMatch(/\b(UNAVAILABLE|DEADLINE_EXCEEDED)\b/);
        scanned += 1;
      }
    }
    expect(scanned).toBe(EXPECTED.length * routes.length);
  });

  it("healthz stays up and says why etcd cannot be reached", async () => {
    const health = await callRoute(getHealth, "/api/healthz");
    expect(health.status).toBe(200);
    expect(health.body.etcd.reachable).toBe(false);
    expect(health.body.etcd.error).toMatch(/ETCDCTL_KEY: the file cannot be read/);
  });

  it("the server's log receives the cause with the path, the reason and the stack", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    // A cluster no other test asks for, so the once-a-minute log has not spoken of it yet.
    const { status, body } = await callRoute(getCluster, "/api/cluster?cluster=log-me");
    expect(status).toBe(502);
    expect(body.error.message).toMatch(/ETCDLENS_CONFIG cluster "log-me" cacert: the file cannot be read$/);
    const logged = warn.mock.calls.map((args) => args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" "));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('cluster "log-me" cacert: the file cannot be read');
    expect(logged[0]).toContain(join(dir, "log-me-ca.crt"));
    expect(logged[0]).toContain("ENOENT");
    expect(logged[0]).toMatch(/\n\s+at /);
    // Asked again at once: not logged twice.
    await callRoute(getCluster, "/api/cluster?cluster=log-me");
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe("an unexpected error", () => {
  it("answers a generic 500 and logs the error with its cause and stack", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const secretPath = join(dir, "internal", "state.db");
    const route = apiRoute(async () => {
      throw new TypeError(`cannot read properties of undefined, reading ${secretPath}`);
    });
    const response = await route(new Request("http://127.0.0.1/api/anything"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal error; the server log has the details" } });
    expect(text).not.toContain(secretPath);
    expect(error).toHaveBeenCalledTimes(1);
    const logged = inspect(error.mock.calls[0]);
    expect(logged).toContain(secretPath);
    expect(logged).toMatch(/TypeError/);
    expect(logged).toMatch(/\n\s+at /);
  });

  it("keeps the cause of an AppError made from an etcd client error it does not know", async () => {
    const { toAppError } = await import("@/lib/etcd/errors");
    const { GRPCInternalError } = await import("etcd3");
    const raw = new GRPCInternalError(`13 INTERNAL: stream terminated by RST_STREAM, see ${dir}`);
    const appError = toAppError(raw, undefined);
    expect(appError).toBeInstanceOf(AppError);
    expect(appError.code).toBe("internal");
    expect(appError.message).toBe("internal error; the server log has the details");
    expect(appError.cause).toBe(raw);
  });
});
