import { expect } from "vitest";
import type { Etcd3 } from "etcd3";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision, type FolderIndex, type ReadyIndex } from "@/lib/etcd/folder-index/folder-index";

// What the folder index must agree with: folders and key counts derived from one keys-only read
// of everything (test keyspaces are small), compared once the index has caught up with etcd.

export type FolderCounts = Map<string, { keyCount: number; leafCount: number }>;

export async function scanFolders(writer: Etcd3): Promise<FolderCounts> {
  const keys = await writer.getAll().keys();
  const folders: FolderCounts = new Map([["", { keyCount: 0, leafCount: 0 }]]);
  for (const text of keys.map((key) => Buffer.from(key).toString("latin1"))) {
    let prefix = "";
    folders.get("")!.keyCount += 1;
    for (let slash = text.indexOf("/"); slash >= 0; slash = text.indexOf("/", slash + 1)) {
      prefix = text.slice(0, slash + 1);
      const folder = folders.get(prefix) ?? { keyCount: 0, leafCount: 0 };
      folder.keyCount += 1;
      folders.set(prefix, folder);
    }
    folders.get(prefix)!.leafCount += 1;
  }
  return folders;
}

/** The index, once at etcd's current revision, counts what a fresh scan counts; returns both. */
export async function expectIndexMatchesScan(
  index: FolderIndex,
  connection: ClusterConnection,
  writer: Etcd3,
  waitMs: number,
): Promise<{ ready: ReadyIndex; expected: FolderCounts }> {
  const current = await readCurrentRevision(connection);
  expect(await index.waitForRevision(current, waitMs), `the folder index reached revision ${current}`).toBe(true);
  const expected = await scanFolders(writer);
  const ready = await index.acquire({ buildWaitMs: waitMs, catchUpMs: waitMs });
  expect(ready).not.toBeNull();
  const actual: FolderCounts = new Map();
  for (const prefix of expected.keys()) {
    const node = ready!.tree.folder(prefix);
    if (node) actual.set(prefix, { keyCount: node.keyCount, leafCount: node.leafCount });
  }
  const differing = [...expected]
    .filter(([prefix, counts]) => JSON.stringify(actual.get(prefix)) !== JSON.stringify(counts))
    .map(([prefix, counts]) => `${prefix}: index ${JSON.stringify(actual.get(prefix))}, scan ${JSON.stringify(counts)}`);
  expect(differing).toEqual([]);
  expect(ready!.tree.folderCount).toBe(expected.size);
  return { ready: ready!, expected };
}
