import "server-only";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { FolderTree, type FolderEntry } from "./folder-tree";

// The folder index as bytes, for the archive to keep (lib/archive/folder-index-store.ts): its
// folders and counts at one revision of one etcd cluster, deflated. The cluster ID guards against
// a snapshot of another etcd under the same configured name (a cluster re-created from scratch).

const FORMAT = 1;

type Snapshot = { format: number; clusterId: string; revision: number; folders: FolderEntry[] };

export type LoadedSnapshot = { clusterId: string; revision: number; tree: FolderTree };

export function encodeFolderSnapshot(tree: FolderTree, revision: number, clusterId: string): Buffer {
  const snapshot: Snapshot = { format: FORMAT, clusterId, revision, folders: tree.entries() };
  return deflateRawSync(Buffer.from(JSON.stringify(snapshot)));
}

/** The tree back; null for a snapshot in another format or one that does not decode (it is then rebuilt). */
export function decodeFolderSnapshot(data: Buffer): LoadedSnapshot | null {
  try {
    const snapshot = JSON.parse(inflateRawSync(data).toString()) as Snapshot;
    if (snapshot.format !== FORMAT) return null;
    return { clusterId: snapshot.clusterId, revision: snapshot.revision, tree: FolderTree.fromEntries(snapshot.folders) };
  } catch {
    return null;
  }
}
