import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getClusters } from "@/app/api/clusters/route";
import { GET as getKey } from "@/app/api/key/route";
import { parseServerSettings } from "@/lib/env";
import { encodeKeyParam } from "@/lib/keys";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, seedingClient, startTestEtcd } from "./support";

// Several clusters from a configuration file: each request names one by `cluster`, credentials
// stay on the server, and an unknown name is a clear 400.

let alpha: EtcdProcess;
let beta: EtcdProcess;
let configDir: string;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([startTestEtcd("cluster-alpha"), startTestEtcd("cluster-beta")]);
  for (const [etcd, value] of [
    [alpha, "from alpha"],
    [beta, "from beta"],
  ] as const) {
    const writer = seedingClient(etcd);
    await writer.put("/where").value(value).exec();
    writer.close();
  }
  configDir = scratchDir(join(tmpdir(), "etcdlens-test"), "config");
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, "beta-password"), "not-used-but-read\n");
  writeFileSync(
    join(configDir, "etcdlens.yaml"),
    [
      "clusters:",
      "  - name: alpha",
      `    endpoints: [${alpha.endpoint}]`,
      "    defaultPrefix: /registry/",
      "  - name: beta",
      `    endpoints: ${beta.endpoint}`,
    ].join("\n"),
  );
  delete process.env.ETCDCTL_ENDPOINTS;
  process.env.ETCDLENS_CONFIG = join(configDir, "etcdlens.yaml");
});

afterAll(async () => {
  await Promise.all([alpha?.stop(), beta?.stop()]);
});

describe("clusters named in ETCDLENS_CONFIG", () => {
  it("lists names and default prefixes only", async () => {
    const { body } = await callRoute(getClusters, "/api/clusters");
    expect(body).toEqual({ clusters: [{ name: "alpha", defaultPrefix: "/registry/" }, { name: "beta" }] });
  });

  it("reads the cluster a request names, the first by default", async () => {
    const key = encodeKeyParam(Buffer.from("/where"));
    expect((await callRoute(getKey, `/api/key?key=${key}`)).body.value.text).toBe("from alpha");
    expect((await callRoute(getKey, `/api/key?key=${key}&cluster=beta`)).body.value.text).toBe("from beta");
    const unknown = await callRoute(getKey, `/api/key?key=${key}&cluster=gamma`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('no cluster named "gamma"; configured: alpha, beta');
  });

  it("reads paths relative to the file and keeps the ETCDCTL_* cluster beside the file's", () => {
    writeFileSync(
      join(configDir, "auth.yaml"),
      "clusters:\n  - name: secured\n    endpoints: [https://10.0.0.1:2379]\n    cacert: ca.crt\n    user: reader\n    passwordFile: beta-password\n",
    );
    const settings = parseServerSettings({ ETCDLENS_CONFIG: join(configDir, "auth.yaml"), ETCDCTL_ENDPOINTS: "127.0.0.1:2379" });
    expect(settings.clusters.map((cluster) => cluster.name)).toEqual(["default", "secured"]);
    expect(settings.clusters[1]).toMatchObject({ username: "reader", password: "not-used-but-read", caFile: join(configDir, "ca.crt") });
    writeFileSync(join(configDir, "bad.yaml"), "clusters:\n  - name: Bad_Name\n    endpoints: x\n");
    expect(() => parseServerSettings({ ETCDLENS_CONFIG: join(configDir, "bad.yaml") })).toThrow(
      /clusters\.0\.name: a cluster name is lowercase/,
    );
  });
});
