import "server-only";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { ArchiveClusterMismatchError, type ArchiveStore } from "./store";

// The archive keys a cluster by its configured name, and the recorder ties that name to etcd's
// cluster ID on its first record. A view must not show one etcd cluster's archived history as
// another's when an operator re-points the name: reads check the ID too (at most every 10 s per
// name, one cheap header read), and refuse the archive when it differs.

const CHECK_EVERY_MS = 10_000;

type Checked = { at: number; mismatch: ArchiveClusterMismatchError | null };
// Per connection (a name re-pointed gets a new one), then per store and name.
const globalCache = globalThis as unknown as { etcdlensArchiveIdentity?: WeakMap<ClusterConnection, Map<string, Checked>> };

/**
 * Throws ArchiveClusterMismatchError when the archive of `cluster` was recorded from another etcd
 * cluster than the one `connection` reaches now; an archive not tied to one yet passes.
 */
export async function assertArchiveOfSameEtcdCluster(
  store: ArchiveStore,
  cluster: string,
  connection: ClusterConnection,
  log: (message: string) => void = (message) => console.error(message),
): Promise<void> {
  const connections = (globalCache.etcdlensArchiveIdentity ??= new WeakMap());
  let cache = connections.get(connection);
  if (!cache) connections.set(connection, (cache = new Map()));
  const key = `${store.engine}\u0000${cluster}`;
  let checked = cache.get(key);
  if (!checked || Date.now() - checked.at > CHECK_EVERY_MS) {
    const recorded = await store.etcdClusterIdOf(cluster);
    const current = recorded === null ? null : (await getClusterHeader(connection)).clusterId;
    const mismatch =
      recorded !== null && current !== null && recorded !== current ? new ArchiveClusterMismatchError(cluster, recorded, current) : null;
    // Said once when it starts, not on every view.
    if (mismatch && !checked?.mismatch) log(`etcdlens archive: ${mismatch.message}`);
    checked = { at: Date.now(), mismatch };
    cache.set(key, checked);
  }
  if (checked.mismatch) throw checked.mismatch;
}
