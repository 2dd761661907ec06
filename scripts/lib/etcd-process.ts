import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { ETCD, requireProgram } from "./system-deps";

// Starts a private etcd on free loopback ports, for the demo and for tests. Nothing here talks to
// any address but 127.0.0.1.

export type TlsFiles = { caFile: string; certFile: string; keyFile: string };

export type EtcdOptions = {
  dataDir: string;
  name?: string;
  /** Serve clients over TLS and require client certificates signed by the CA. */
  tls?: TlsFiles;
  /** Keep the data directory from an earlier run instead of starting empty. */
  keepData?: boolean;
  clientPort?: number;
  peerPort?: number;
  quiet?: boolean;
  /** etcd's --initial-cluster for a member of a cluster; default: this member alone. */
  initialCluster?: string;
  /** More etcd flags, e.g. a short --auth-token-ttl for a test. */
  extraArgs?: string[];
};

export type EtcdProcess = {
  endpoint: string;
  clientPort: number;
  peerPort: number;
  /** The running etcd's process ID (it changes on restart). */
  pid: () => number | undefined;
  dataDir: string;
  /** Stops etcd and waits for it to exit; the data stays. */
  stop: () => Promise<void>;
  /** Starts it again on the same ports and data. */
  restart: () => Promise<void>;
};

// A test that runs beside others and later restarts its etcd on the same ports (the long outage
// test) names a range of ports below the kernel's ephemeral range (32768-60999 on Linux), which
// port 0 never hands out: nothing beside it can then take its etcd's ports while that etcd is down.
function reservedPortRange(): [number, number] | undefined {
  const match = /^(\d+)-(\d+)$/.exec(process.env.ETCDLENS_TEST_PORT_RANGE ?? "");
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export async function findFreePort(): Promise<number> {
  const range = reservedPortRange();
  if (range) {
    const [low, high] = range;
    const start = low + Math.floor(Math.random() * (high - low + 1));
    for (let step = 0; step <= high - low; step++) {
      const port = low + ((start - low + step) % (high - low + 1));
      if (await isPortFree(port)) return port;
    }
    throw new Error(`no free port in ETCDLENS_TEST_PORT_RANGE ${low}-${high}`);
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port`, found by binding it for a moment. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function etcdArgs(options: EtcdOptions, clientPort: number, peerPort: number): string[] {
  const name = options.name ?? "etcdlens";
  const scheme = options.tls ? "https" : "http";
  const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name",
    name,
    "--data-dir",
    options.dataDir,
    "--listen-client-urls",
    clientUrl,
    "--advertise-client-urls",
    clientUrl,
    "--listen-peer-urls",
    peerUrl,
    "--initial-advertise-peer-urls",
    peerUrl,
    "--initial-cluster",
    options.initialCluster ?? `${name}=${peerUrl}`,
    "--initial-cluster-state",
    "new",
    "--log-level",
    "warn",
    "--logger",
    "zap",
  ];
  args.push(...(options.extraArgs ?? []));
  if (options.tls) {
    args.push("--cert-file", options.tls.certFile, "--key-file", options.tls.keyFile);
    args.push("--client-cert-auth", "--trusted-ca-file", options.tls.caFile);
  }
  return args;
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// etcd accepts connections only once it serves clients; requests sent before its first leader
// election wait on the server side, so an open port is enough.
async function waitUntilServing(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}:\n${output()}`);
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`etcd did not start within 20 s:\n${output()}`);
}

export async function startEtcd(options: EtcdOptions): Promise<EtcdProcess> {
  const binary = requireProgram(ETCD, "ETCD_BIN");
  if (!options.keepData) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const clientPort = options.clientPort ?? (await findFreePort());
  let peerPort = options.peerPort ?? (await findFreePort());
  // Neither port is bound yet, so the same free port can be found twice.
  while (options.peerPort === undefined && peerPort === clientPort) peerPort = await findFreePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    let log = "";
    // Without the flag etcd 3.4 refuses to start on some architectures; harmless on amd64.
    const env = { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === "x64" ? "" : process.arch };
    child = spawn(binary, etcdArgs({ ...options }, clientPort, peerPort), { stdio: ["ignore", "pipe", "pipe"], env });
    const collect = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
      if (!options.quiet && /"level":"(error|fatal)"/.test(chunk.toString())) process.stderr.write(chunk);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    await waitUntilServing(child, clientPort, () => log);
  };

  const stop = async () => {
    const running = child;
    // A process killed by a signal has signalCode set and exitCode null; either way it is gone.
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
      setTimeout(() => running.kill("SIGKILL"), 5_000).unref();
    });
  };

  await launch();
  return {
    endpoint: `${options.tls ? "https" : "http"}://127.0.0.1:${clientPort}`,
    clientPort,
    peerPort,
    pid: () => child?.pid,
    dataDir: options.dataDir,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

/**
 * A folder of its own for one etcd, PostgreSQL or test. Under a test run (ETCDLENS_SCRATCH_RUN,
 * set by beginScratchRun) it goes into that run's folder, which the run removes when it ends: an
 * etcd's data folder is some 60 MB (its preallocated WAL), and a full run starts dozens.
 */
export function scratchDir(root: string, name: string): string {
  return join(root, process.env[SCRATCH_RUN_ENV] ?? "", `${name}-${process.pid}-${Date.now().toString(36)}`);
}

const SCRATCH_RUN_ENV = "ETCDLENS_SCRATCH_RUN";

/**
 * Called by a test runner's global setup, before its workers start (they inherit the variable):
 * every scratchDir under `root` of this run goes into one folder. Returns what removes it; a run
 * beside this one (another checkout's) keeps its own.
 */
export function beginScratchRun(root: string): () => void {
  const run = `run-${process.pid}-${Date.now().toString(36)}`;
  process.env[SCRATCH_RUN_ENV] = run;
  mkdirSync(join(root, run), { recursive: true });
  return () => rmSync(join(root, run), { recursive: true, force: true });
}

/**
 * A cluster of `size` members on free loopback ports (plain HTTP), started together since each
 * waits for the others to elect a leader.
 */
export async function startEtcdCluster(size: number, options: { dataRoot: string; quiet?: boolean }): Promise<EtcdProcess[]> {
  const members: { name: string; clientPort: number; peerPort: number }[] = [];
  for (let index = 0; index < size; index++) {
    members.push({ name: `member-${index + 1}`, clientPort: await findFreePort(), peerPort: await findFreePort() });
  }
  const initialCluster = members.map((member) => `${member.name}=http://127.0.0.1:${member.peerPort}`).join(",");
  return Promise.all(
    members.map((member) => startEtcd({ ...member, dataDir: join(options.dataRoot, member.name), quiet: options.quiet, initialCluster })),
  );
}
