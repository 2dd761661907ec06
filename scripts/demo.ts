// npm run demo — a private etcd on loopback ports, filled once with a small Kubernetes cluster's
// history and kept across restarts, and the dashboard on http://127.0.0.1:3000 (PORT to change). Ctrl-C stops both.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startDemoEtcd } from "./lib/demo-etcd";
import type { EtcdProcess } from "./lib/etcd-process";
import { MissingProgramError } from "./lib/system-deps";

const root = process.cwd();
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

function buildIfNeeded() {
  if (existsSync(join(root, ".next", "BUILD_ID")) && !process.argv.includes("--rebuild")) return;
  console.log("etcdlens: building the dashboard (once; `npm run demo -- --rebuild` to rebuild)...");
  const result = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("the build failed");
}

async function main() {
  const running: { etcd?: EtcdProcess; server?: ChildProcess } = {};
  const shutdown = async (code: number) => {
    running.server?.kill("SIGTERM");
    await running.etcd?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const folder = join(root, ".etcdlens", "demo");
    if (process.argv.includes("--reset")) rmSync(folder, { recursive: true, force: true });
    const demo = await startDemoEtcd(folder);
    running.etcd = demo.etcd;
    const etcd = demo.etcd;
    const data =
      demo.seededWrites > 0 ? `${demo.seededWrites} demo writes` : "the data of the last run (`npm run demo -- --reset` to start over)";
    console.log(
      `etcdlens: etcd is at ${etcd.endpoint} with ${data} (try: ETCDCTL_ENDPOINTS=${etcd.endpoint} etcdctl get --prefix /registry --keys-only)`,
    );
    buildIfNeeded();
  } catch (error) {
    console.error(`etcdlens: ${error instanceof MissingProgramError ? error.message : error instanceof Error ? error.message : error}`);
    await shutdown(1);
    return;
  }

  const etcd = running.etcd;
  // The dashboard sees only this etcd, whatever the shell has exported for etcdctl.
  // HOST and PORT also tell the Host check which names and port the dashboard answers to.
  const env: NodeJS.ProcessEnv = { ...process.env, ETCDCTL_ENDPOINTS: etcd.endpoint, HOST: host, PORT: String(port) };
  for (const name of ["ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY", "ETCDCTL_USER", "ETCDCTL_PASSWORD"]) delete env[name];
  const server = spawn(process.execPath, [nextBin, "start", "--hostname", host, "--port", String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  server.stdout?.on("data", (chunk: Buffer) => {
    if (/ready|started/i.test(chunk.toString())) {
      console.log(`\netcdlens demo: http://${host}:${port}/keys  (Ctrl-C stops the dashboard and its etcd)\n`);
    }
  });
  running.server = server;
  server.on("exit", (code) => void shutdown(code ?? 0));
}

void main();
