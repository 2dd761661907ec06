import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Etcd3 } from "etcd3";
import { seedDemoData } from "@/scripts/lib/demo-data";
import { beginScratchRun, scratchDir, startEtcd } from "@/scripts/lib/etcd-process";
import { writeState } from "./support/state";

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the dashboard did not answer at ${url} within ${timeoutMs} ms`);
}

export const E2E_SCRATCH_ROOT = join(tmpdir(), "etcdlens-e2e");

export default async function globalSetup(): Promise<void> {
  const root = process.cwd();
  const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
  if (!existsSync(join(root, process.env.ETCDLENS_DIST_DIR ?? ".next", "BUILD_ID"))) {
    const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }

  // Every scratch folder of this run (the etcds', the archive, the specs' own) in one folder that
  // global teardown removes; the specs' workers inherit the variable naming it.
  beginScratchRun(E2E_SCRATCH_ROOT);
  const etcd = await startEtcd({ dataDir: scratchDir(E2E_SCRATCH_ROOT, "etcd"), quiet: true });
  const writer = new Etcd3({ hosts: etcd.endpoint });
  await seedDemoData(writer);
  await (await import("./support/bad-input-seed")).seedBadInputKeys(writer);
  await (await import("@/scripts/lib/secret-shapes")).seedSecretShapesForE2E(writer);
  await (await import("@/scripts/lib/odd-names")).seedOddNames(writer);
  writer.close();

  // A second cluster, named in a configuration file beside the ETCDCTL_* one, for the switcher.
  const second = await startEtcd({ dataDir: scratchDir(E2E_SCRATCH_ROOT, "second"), quiet: true });
  const secondWriter = new Etcd3({ hosts: second.endpoint });
  await secondWriter.put("/second/only-here").value("this key lives in the second cluster").exec();
  await secondWriter.put("/second/also-here").value("so does this one").exec();
  secondWriter.close();
  const configFile = join(root, "e2e", ".state", "clusters.yaml");
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, `clusters:\n  - name: second\n    endpoints: [${second.endpoint}]\n    defaultPrefix: /second/\n`);
  // The API server's keys for the Secret shapes encrypted at rest: the pages show them decrypted, masked.
  const encryptionConfig = join(root, "e2e", ".state", "encryption-config.yaml");
  writeFileSync(encryptionConfig, (await import("@/scripts/lib/secret-shapes")).AT_REST_CONFIGURATION);

  const port = process.env.ETCDLENS_E2E_PORT!;
  const baseURL = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ETCDCTL_ENDPOINTS: etcd.endpoint,
    ETCDLENS_CONFIG: configFile,
    ETCDLENS_ENCRYPTION_CONFIG: encryptionConfig,
    ETCDLENS_REQUEST_TIMEOUT_MS: "2000",
    // The dashboard records from its boot: into an archive of this run's own, never the repository's .etcdlens/.
    ETCDLENS_DATA_DIR: scratchDir(E2E_SCRATCH_ROOT, "archive"),
    NEXT_TELEMETRY_DISABLED: "1",
    // The port the Host check answers loopback names on (lib/env.ts getDoorSettings).
    PORT: port,
    // npm start's server (scripts/serve.mjs), as a deployment runs it, on loopback.
    HOST: "127.0.0.1",
  };
  for (const name of [
    "ETCDCTL_CACERT",
    "ETCDCTL_CERT",
    "ETCDCTL_KEY",
    "ETCDCTL_USER",
    "ETCDCTL_PASSWORD",
    "ETCDLENS_REVEAL_SECRETS",
    "ETCDLENS_ARCHIVE_URL",
  ])
    delete env[name];
  const server = spawn(process.execPath, [join(root, "scripts", "serve.mjs")], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: false,
  });
  writeState({
    etcd: { endpoint: etcd.endpoint, dataDir: etcd.dataDir, clientPort: etcd.clientPort, peerPort: etcd.peerPort, pid: etcd.pid()! },
    secondEtcdPid: second.pid()!,
    serverPid: server.pid!,
    baseURL,
  });
  await waitForServer(`${baseURL}/api/healthz`, 30_000);
}
