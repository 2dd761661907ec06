import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { decodeValue, encodeKubernetesObject, type KubernetesValue } from "@/lib/decode";
import { toYaml } from "@/lib/decode/yaml";
import { ETCDCTL, requireProgram } from "@/scripts/lib/system-deps";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { seedingClient, startTestEtcd } from "./support";

// `npm run -s decode` as a pipeline uses it: fed what `etcdctl get KEY --print-value-only` prints
// for a Kubernetes object in a real etcd, on stdin or as a file.

let etcd: EtcdProcess;
let writer: Etcd3;
let scratch: string;

const deployment = {
  kind: "Deployment",
  apiVersion: "apps/v1",
  metadata: { name: "web", namespace: "shop", uid: "0f1e2d3c-0000-4000-8000-000000000001", labels: { app: "web", tier: "front" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
    },
  },
  status: { replicas: 3, readyReplicas: 3 },
};

function decodeCli(args: string[], stdin?: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(process.cwd(), "node_modules/.bin/tsx"), ["scripts/decode.ts", ...args], {
    input: stdin,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function etcdctlValue(key: string): Buffer {
  const result = spawnSync(requireProgram(ETCDCTL, "ETCDCTL_BIN"), ["--endpoints", etcd.endpoint, "get", key, "--print-value-only"], {
    env: { ...process.env, ETCDCTL_API: "3" },
  });
  if (result.status !== 0) throw new Error(`etcdctl failed: ${result.stderr.toString()}`);
  return result.stdout;
}

beforeAll(async () => {
  etcd = await startTestEtcd("decode-cli");
  writer = seedingClient(etcd);
  scratch = mkdtempSync(join(tmpdir(), "etcdlens-decode-cli-"));
  await writer.put("/registry/deployments/shop/web").value(Buffer.from(encodeKubernetesObject(deployment)));
  await writer
    .put("/registry/secrets/shop/db")
    .value(
      Buffer.from(
        encodeKubernetesObject({ kind: "Secret", apiVersion: "v1", metadata: { name: "db" }, data: { password: "aHVudGVyMg==" } }),
      ),
    );
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm run -s decode", () => {
  it("prints etcdctl's value of a Kubernetes object as the API's JSON, from stdin", () => {
    const value = etcdctlValue("/registry/deployments/shop/web");
    expect(value.at(-1)).toBe(0x0a); // etcdctl appends a newline the CLI must see past
    const { status, stdout, stderr } = decodeCli([], value);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const expected = (decodeValue(value.subarray(0, value.length - 1)) as KubernetesValue).object;
    expect(JSON.parse(stdout)).toEqual(expected);
    expect(JSON.parse(stdout)).toMatchObject(deployment);
  });

  it("prints YAML with keys sorted as kubectl prints it, from a file", () => {
    const file = join(scratch, "web.bin");
    writeFileSync(file, etcdctlValue("/registry/deployments/shop/web"));
    const { status, stdout } = decodeCli(["--yaml", file]);
    expect(status).toBe(0);
    expect(stdout).toBe(toYaml((decodeValue(encodeKubernetesObject(deployment)) as KubernetesValue).object, { sortKeys: true }));
    expect(stdout.startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n")).toBe(true);
  });

  it("masks Secret values unless asked, and says so on stderr", () => {
    const value = etcdctlValue("/registry/secrets/shop/db");
    const masked = decodeCli([], value);
    expect(masked.status).toBe(0);
    expect(JSON.parse(masked.stdout).data.password).not.toContain("aHVudGVyMg");
    expect(masked.stderr).toMatch(/1 secret value\(s\) masked/);
    const revealed = decodeCli(["--reveal-secrets"], value);
    expect(JSON.parse(revealed.stdout).data.password).toBe("aHVudGVyMg==");
  });

  it("exits non-zero on a truncated value, saying what is wrong and at which byte", () => {
    const value = etcdctlValue("/registry/deployments/shop/web");
    const { status, stdout, stderr } = decodeCli([], value.subarray(0, 40));
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^malformed kubernetes value at byte offset \d+: .+/);
  });
});
