import "server-only";
import { concatBytes, includesBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { listChildren } from "./list-children";
import type { ChildrenPage, ListChildrenRequest } from "./tree-level";

// Narrows one level to the children whose name contains some bytes. etcd cannot search, so the
// level is read page by page; a request reads at most a budget of children and says where it
// stopped, so a filter over a 100,000-child level answers in steps instead of all at once.

const PAGE = 500;
const BUDGET = 10_000;

// Where a listing continues after a child: past a key ("\0" follows it), or past a folder's
// whole subtree ("0" follows "/"). A name that is both was listed as the key, and the listing
// drops the folder when it reaches it.
function positionAfter(item: ChildrenPage["items"][number]): Uint8Array {
  return concatBytes(item.key, Uint8Array.of(item.isKey ? 0x00 : 0x30));
}

/** `list` reads the level's pages: etcd's by default, the archive's at a revision etcd compacted. */
export async function filterChildren(
  connection: ClusterConnection,
  request: ListChildrenRequest & { contains: Uint8Array },
  list: (request: ListChildrenRequest) => Promise<ChildrenPage> = (page) => listChildren(connection, page),
): Promise<ChildrenPage> {
  const items: ChildrenPage["items"] = [];
  let cursor = request.cursor;
  let read = 0;
  let revision = request.revision;
  while (items.length < request.limit && read < BUDGET) {
    const page = await list({ prefix: request.prefix, revision, cursor, limit: PAGE });
    if (page.indexing) return page;
    revision ??= page.revision;
    read += page.items.length;
    for (const item of page.items) {
      if (!includesBytes(item.name, request.contains)) continue;
      if (items.length === request.limit) {
        // Full: the next request resumes right after the last match.
        return { revision: page.revision, items, nextCursor: positionAfter(items[items.length - 1]) };
      }
      items.push(item);
    }
    if (!page.nextCursor) return { revision: page.revision, items, nextCursor: null };
    cursor = page.nextCursor;
  }
  return { revision: revision ?? 0, items, nextCursor: cursor ?? null };
}
