import { join } from "node:path";
import { startEtcd, type EtcdProcess } from "../etcd-process";

// Which etcd a benchmark script talks to: a private one under .etcdlens/bench-etcd (--start-etcd;
// the seeder starts it empty, the benchmark restarts it on the seeded data), or the one etcdctl
// would use (ETCDCTL_ENDPOINTS, default 127.0.0.1:2379, e.g. the one `npm run demo` printed).

export const BENCH_DATA_DIR = join(process.cwd(), ".etcdlens", "bench-etcd");
const BENCH_CLIENT_PORT = 23790;
const BENCH_PEER_PORT = 23800;

export type TargetEtcd = { endpoint: string; private?: EtcdProcess; stop: () => Promise<void> };

export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

export function flagValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  if (at >= 0) return process.argv[at + 1];
  const inline = process.argv.find((arg) => arg.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

export async function resolveTargetEtcd(options: { fresh: boolean }): Promise<TargetEtcd> {
  if (!hasFlag("--start-etcd")) {
    const endpoint = (process.env.ETCDCTL_ENDPOINTS ?? "127.0.0.1:2379").split(",")[0].trim();
    if (!/^(https?:\/\/)?(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(endpoint)) {
      throw new Error(`the benchmarks only talk to a loopback etcd; ETCDCTL_ENDPOINTS is ${endpoint}`);
    }
    return { endpoint: endpoint.startsWith("http") ? endpoint : `http://${endpoint}`, stop: async () => {} };
  }
  const etcd = await startEtcd({
    dataDir: BENCH_DATA_DIR,
    keepData: !options.fresh,
    clientPort: BENCH_CLIENT_PORT,
    peerPort: BENCH_PEER_PORT,
    quiet: true,
  });
  return { endpoint: etcd.endpoint, private: etcd, stop: () => etcd.stop() };
}
