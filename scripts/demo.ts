// npm run demo — a private etcd on loopback ports, filled once with a small Kubernetes cluster's
// history and kept across restarts, and the dashboard on http://127.0.0.1:3000 (PORT to change). Ctrl-C stops both.
// The dashboard records into the demo's folder from its first second: on a first start it is up and
// recording before the seeder writes, so the archive keeps the history the seeder compacts away.
// ETCDLENS_DEMO_DIR moves the demo's folder (default .etcdlens/demo).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startDemoEtcd } from "./lib/demo-etcd";
import type { EtcdProcess } from "./lib/etcd-process";
import { MissingProgramError } from "./lib/system-deps";

const root = process.cwd();
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const folder = resolve(process.env.ETCDLENS_DEMO_DIR || join(root, ".etcdlens", "demo"));
/** How long the dashboard gets to boot and start recording before the seed. */
const RECORDING_WAIT_MS = 60_000;

function buildIfNeeded() {
  // next.config.ts builds into ETCDLENS_DIST_DIR when set, and `npm start` (scripts/serve.mjs) serves from there.
  if (existsSync(join(root, process.env.ETCDLENS_DIST_DIR ?? ".next", "BUILD_ID")) && !process.argv.includes("--rebuild")) return;
  console.log("etcdlens: building the dashboard (once; `npm run demo -- --rebuild` to rebuild)...");
  const result = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("the build failed");
}

type RecorderState = { state: string; error?: string };

/** Waits until the dashboard answers and its recorder records (or says it will not: archive off, failing, another recorder). */
async function waitForRecording(base: string, server: ChildProcess): Promise<RecorderState> {
  const deadline = Date.now() + RECORDING_WAIT_MS;
  let last: RecorderState = { state: "not answering" };
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error("the dashboard stopped before it was ready");
    try {
      const response = await fetch(`${base}/api/cluster`);
      if (response.ok) {
        last = ((await response.json()) as { archive: { recorder: RecorderState } }).archive.recorder;
        if (["recording", "off", "failing", "standby"].includes(last.state)) return last;
      }
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`the dashboard did not start recording within ${RECORDING_WAIT_MS / 1000} s (last: ${last.state})`);
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

  const base = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const startServer = async (etcd: EtcdProcess) => {
    running.etcd = etcd;
    buildIfNeeded();
    // The dashboard sees only this etcd, whatever the shell has exported for etcdctl, and
    // archives into the demo's folder. HOST and PORT also tell the Host check which names and
    // port the dashboard answers to.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ETCDCTL_ENDPOINTS: etcd.endpoint,
      ETCDLENS_DATA_DIR: folder,
      HOST: host,
      PORT: String(port),
    };
    for (const name of ["ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY", "ETCDCTL_USER", "ETCDCTL_PASSWORD", "ETCDLENS_ARCHIVE_URL"])
      delete env[name];
    const server = spawn(process.execPath, [join(root, "scripts", "serve.mjs")], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    running.server = server;
    server.on("exit", (code) => void shutdown(code ?? 0));
    const recorder = await waitForRecording(base, server);
    if (recorder.state === "off") console.log("etcdlens: the archive is off (ETCDLENS_ARCHIVE=off): history ends at etcd's compaction");
    if (recorder.state === "failing") console.log(`etcdlens: the archive is not recording (${recorder.error})`);
  };

  try {
    if (process.argv.includes("--reset")) rmSync(folder, { recursive: true, force: true });
    const demo = await startDemoEtcd(folder, { beforeSeed: startServer });
    running.etcd = demo.etcd;
    const etcd = demo.etcd;
    const data =
      demo.seededWrites > 0 ? `${demo.seededWrites} demo writes` : "the data of the last run (`npm run demo -- --reset` to start over)";
    console.log(
      `etcdlens: etcd is at ${etcd.endpoint} with ${data} (try: ETCDCTL_ENDPOINTS=${etcd.endpoint} etcdctl get --prefix /registry --keys-only)`,
    );
    // A restart that keeps the data seeds nothing, so the dashboard starts only now.
    if (!running.server) await startServer(etcd);
  } catch (error) {
    console.error(`etcdlens: ${error instanceof MissingProgramError ? error.message : error instanceof Error ? error.message : error}`);
    await shutdown(1);
    return;
  }
  console.log(`\netcdlens demo: ${base}/keys  (Ctrl-C stops the dashboard and its etcd)\n`);
}

void main();
