import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { seedDemoData } from "./demo-data";
import { startEtcd, type EtcdProcess } from "./etcd-process";

// The demo's etcd: its data and ports live in one folder (`.etcdlens/demo` for `npm run demo`).

export type DemoEtcd = {
  etcd: EtcdProcess;
  /** How many demo writes this start made; 0 when the data was kept from an earlier start. */
  seededWrites: number;
};

export async function startDemoEtcd(folder: string, options: { quiet?: boolean; log?: (message: string) => void } = {}): Promise<DemoEtcd> {
  const etcd = await startEtcd({ dataDir: join(folder, "etcd"), quiet: options.quiet });
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    return { etcd, seededWrites: await seedDemoData(client) };
  } finally {
    client.close();
  }
}
