import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { seedDemoData } from "./demo-data";
import { findFreePort, isPortFree, startEtcd, type EtcdProcess } from "./etcd-process";

// The demo's etcd: its data and ports live in one folder (`.etcdlens/demo` for `npm run demo`), so
// a restart finds the keys written since and answers at the address a person already uses.

export type DemoEtcd = {
  etcd: EtcdProcess;
  /** How many demo writes this start made; 0 when the data was kept from an earlier start. */
  seededWrites: number;
};

type DemoState = { clientPort?: number; peerPort?: number; seeded?: boolean };

function readState(file: string): DemoState {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as DemoState) : {};
  } catch {
    return {};
  }
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 65536;
}

async function choosePort(remembered: unknown, role: string, log: (message: string) => void): Promise<number> {
  if (!isPort(remembered)) return findFreePort();
  if (await isPortFree(remembered)) return remembered;
  const port = await findFreePort();
  log(`the demo's etcd ${role} port ${remembered} is taken; using ${port} this time`);
  return port;
}

export type DemoEtcdOptions = {
  quiet?: boolean;
  log?: (message: string) => void;
  /**
   * Runs once etcd is up and before the first seed (not on a restart that keeps the data): the
   * demo starts the dashboard here and waits until it records, so that the archive holds the
   * history the seeder compacts away.
   */
  beforeSeed?: (etcd: EtcdProcess) => Promise<void>;
};

export async function startDemoEtcd(folder: string, options: DemoEtcdOptions = {}): Promise<DemoEtcd> {
  const log = options.log ?? ((message: string) => console.log(`etcdlens: ${message}`));
  const dataDir = join(folder, "etcd");
  const stateFile = join(folder, "state.json");
  mkdirSync(folder, { recursive: true });
  const state = readState(stateFile);
  // etcd keeps its WAL and snapshots under <data-dir>/member; without it the store is new.
  const needsSeed = !existsSync(join(dataDir, "member")) || state.seeded !== true;
  const clientPort = await choosePort(state.clientPort, "client", log);
  const peerPort = await choosePort(state.peerPort, "peer", log);

  const etcd = await startEtcd({ dataDir, keepData: true, clientPort, peerPort, quiet: options.quiet });
  const remember = (seeded: boolean) => writeFileSync(stateFile, `${JSON.stringify({ clientPort, peerPort, seeded }, null, 2)}\n`);
  try {
    if (!needsSeed) {
      remember(true);
      return { etcd, seededWrites: 0 };
    }
    remember(false);
    await options.beforeSeed?.(etcd);
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const before = Number((await client.get("/").exec()).header.revision);
      const seededWrites = await seedDemoData(client);
      // Compacted half-way, as kube-apiserver compacts every 5 minutes: etcd keeps the later half
      // of the demo's history, the archive (recording since before the seed) keeps all of it.
      await client.kv.compact({ revision: before + Math.floor(seededWrites / 2), physical: true });
      remember(true);
      return { etcd, seededWrites };
    } finally {
      client.close();
    }
  } catch (error) {
    await etcd.stop();
    throw error;
  }
}
