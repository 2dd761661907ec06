import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { findFreePort } from "@/scripts/lib/etcd-process";
import { readState } from "../support/state";

// Settings that would break every request later stop the production server at its start, with
// exit code 78 and one line that names the setting: an encryption configuration that does not
// load (its secret never printed), a metrics token too short to be one.

const SECRET = "c2hvcnQta2V5LW5vdC0zMi1ieXRlcw==";

async function startWith(extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The suite's settings are left out, but not where the build is.
  for (const name of Object.keys(env))
    if (name.startsWith("ETCDCTL_") || (name.startsWith("ETCDLENS_") && name !== "ETCDLENS_DIST_DIR")) delete env[name];
  Object.assign(env, {
    ETCDCTL_ENDPOINTS: readState().etcd.endpoint,
    ETCDLENS_ARCHIVE: "off",
    PORT: String(await findFreePort()),
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  });
  const child = spawn(process.execPath, [join(process.cwd(), "scripts", "serve.mjs")], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  return { code, stderr };
}

test("a server whose encryption configuration or metrics token is wrong does not start, and says why", async () => {
  test.setTimeout(90_000);
  const dir = join(process.cwd(), "e2e", ".state");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "bad-encryption-config.yaml");
  writeFileSync(
    file,
    `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: ${SECRET}\n`,
  );
  const encryption = await startWith({ ETCDLENS_ENCRYPTION_CONFIG: file });
  expect(encryption.code).toBe(78);
  expect(encryption.stderr).toMatch(/not starting: ETCDLENS_ENCRYPTION_CONFIG .* the aescbc key "key1" is 22 bytes/);
  expect(encryption.stderr).not.toContain(SECRET);

  const metrics = await startWith({ ETCDLENS_METRICS_TOKEN: "short" });
  expect(metrics.code).toBe(78);
  expect(metrics.stderr).toMatch(/not starting: invalid ETCDLENS_METRICS_TOKEN/);
});
