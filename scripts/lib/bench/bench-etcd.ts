import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { connectCluster, type ClusterConnection } from "@/lib/etcd/client";
import { scratchDir, startEtcd, type EtcdProcess } from "../etcd-process";

// The etcd a lib-level benchmark (bench:history, bench:table, the recorder's) writes its keyspace
// into: the one ETCDCTL_ENDPOINTS names when set, else a private etcd in a scratch folder that
// close() stops. Gives a writer (etcd3, for seeding) and the dashboard's own connection (for the
// lib functions timed). lib/etcd is server-only: scripts using this run with --conditions=react-server.

export type BenchEtcd = {
  hosts: string[];
  writer: Etcd3;
  connection: ClusterConnection;
  /** The private etcd, when one was started. */
  etcd?: EtcdProcess;
  close: () => Promise<void>;
};

export async function openBenchEtcd(name: string, options: { extraArgs?: string[] } = {}): Promise<BenchEtcd> {
  const endpoints = process.env.ETCDCTL_ENDPOINTS?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const etcd = endpoints?.length
    ? undefined
    : await startEtcd({ dataDir: scratchDir(join(tmpdir(), "etcdlens-bench"), name), quiet: true, extraArgs: options.extraArgs });
  const hosts = endpoints?.length ? endpoints : [etcd!.endpoint];
  const writer = new Etcd3({ hosts });
  const connection = connectCluster({ endpoints: hosts, requestTimeoutMs: 10_000 });
  return {
    hosts,
    writer,
    connection,
    etcd,
    close: async () => {
      writer.close();
      connection.client.close();
      await etcd?.stop();
    },
  };
}
