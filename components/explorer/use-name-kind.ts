"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { ChildrenDto } from "@/lib/api/dto";
import { base64ToBytes, bytesEqual, parentLevel } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";
import { useClusterName } from "@/components/cluster/cluster-scope";

// Whether the name a page shows is a key, a folder only, or neither, read from the level it is
// listed in: first the same query the tree runs to show that level, so it costs no request of its
// own. Asking /api/key instead would answer a folder with a 404 the browser logs as an error.
// When the level is longer than its first pages and the name is not among them, the level is
// filtered by the name (one request, the name is the first of the names that start with it);
// only when that cannot tell either (a name that is not UTF-8, a filter still reading) is the
// answer "unknown", and /api/key is asked.

export type NameKind = "pending" | "key" | "folder" | "absent" | "unknown";

type Level = { isPending: boolean; isError: boolean; data?: { pages: ChildrenDto[] }; hasNextPage: boolean };

function kindIn(level: Level, name: Uint8Array): NameKind {
  if (level.isPending) return "pending";
  if (level.isError || !level.data) return "unknown";
  const pages = level.data.pages;
  if (pages.some((page) => page.indexing)) return "unknown";
  const entries = pages.flatMap((page) => page.items).filter((item) => bytesEqual(base64ToBytes(item.keyBase64), name));
  if (entries.some((item) => item.isKey)) return "key";
  if (entries.length > 0) return "folder";
  return level.hasNextPage ? "unknown" : "absent";
}

function textOf(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function useNameKind(name: Uint8Array, revision?: number): NameKind {
  // etcd stores no empty key: the empty name is the tree's root, a folder.
  const root = name.length === 0;
  const prefix = parentLevel(name);
  const cluster = useClusterName();
  const level = useInfiniteQuery({ ...keyQueries.children(cluster, prefix, revision), enabled: !root });
  const listed = root ? "folder" : kindIn(level, name);
  const ownName = textOf(name.subarray(prefix.length));
  const searchable = listed === "unknown" && level.hasNextPage && ownName !== undefined && ownName !== "";
  const filtered = useInfiniteQuery({ ...keyQueries.children(cluster, prefix, revision, ownName), enabled: searchable });
  if (!searchable) return listed;
  return kindIn(filtered, name);
}
