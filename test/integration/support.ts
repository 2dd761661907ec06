import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { scratchDir, startEtcd, type EtcdOptions, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { connectCluster, type ClusterConnection } from "@/lib/etcd/client";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import type { ClusterSettings } from "@/lib/env";

// Shared by the integration tests: a real etcd on free loopback ports, a writing client to seed
// it (the dashboard itself never writes), and a read-only connection the way the server makes one.

export async function startTestEtcd(name: string, options: Partial<EtcdOptions> = {}): Promise<EtcdProcess> {
  return startEtcd({ dataDir: scratchDir(join(tmpdir(), "etcdlens-test"), name), quiet: true, ...options });
}

export function seedingClient(etcd: EtcdProcess, extra: Partial<ConstructorParameters<typeof Etcd3>[0]> = {}): Etcd3 {
  return new Etcd3({ hosts: etcd.endpoint, ...extra });
}

export function settingsFor(etcd: EtcdProcess, extra: Partial<ClusterSettings> = {}): ClusterSettings {
  return { endpoints: [etcd.endpoint], requestTimeoutMs: 3000, ...extra };
}

export function connectionTo(etcd: EtcdProcess, extra: Partial<ClusterSettings> = {}): ClusterConnection {
  return connectCluster(settingsFor(etcd, extra));
}

/**
 * Waits for the folder index's background sizing pass (it reads every value once after the tree is
 * built), so that a test counting the reads etcd served counts only its own.
 */
export async function sizingFinished(connection: ClusterConnection, timeoutMs = 30_000): Promise<void> {
  const index = getFolderIndex(connection);
  const deadline = Date.now() + timeoutMs;
  while (index.sizingStatus().state !== "ready") {
    if (Date.now() > deadline) throw new Error(`the sizing pass did not finish within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Calls a route handler the way Next does, with a real Request. */
export async function callRoute(
  handler: (request: Request) => Promise<Response>,
  path: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the JSON shape
): Promise<{ status: number; body: any }> {
  const response = await handler(new Request(`http://127.0.0.1${path}`));
  const type = response.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, body };
}
