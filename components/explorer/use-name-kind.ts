"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { base64ToBytes, bytesEqual, parentLevel } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";

// Whether the name a page shows is a key, a folder only, or neither, read from the level it is
// listed in: the same query the tree runs to show that level, so it costs no request of its own.
// Asking /api/key instead would answer a folder with a 404 the browser logs as an error. When the
// level is longer than the pages loaded so far and the name is not among them, only /api/key can
// tell ("unknown").

export type NameKind = "pending" | "key" | "folder" | "absent" | "unknown";

export function useNameKind(name: Uint8Array, revision?: number): NameKind {
  // etcd stores no empty key: the empty name is the tree's root, a folder.
  const root = name.length === 0;
  const level = useInfiniteQuery({ ...keyQueries.children(parentLevel(name), revision), enabled: !root });
  if (root) return "folder";
  if (level.isPending) return "pending";
  if (level.isError) return "unknown";
  const pages = level.data.pages;
  if (pages.some((page) => page.indexing)) return "unknown";
  const entries = pages.flatMap((page) => page.items).filter((item) => bytesEqual(base64ToBytes(item.keyBase64), name));
  if (entries.some((item) => item.isKey)) return "key";
  if (entries.length > 0) return "folder";
  return level.hasNextPage ? "unknown" : "absent";
}
