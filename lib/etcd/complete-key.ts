import "server-only";
import { concatBytes, parentLevel, startsWithBytes } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { listChildren } from "./list-children";
import type { ChildEntry } from "./tree-level";
import type { LevelLister } from "./visible-level";

// Completes a typed key or prefix from etcd, one tree level at a time: the level the text ends
// in is listed from the first child at or after the text, so the matches come first and the
// work is one bounded page of that level, never a scan of everything that starts with the text.

// A page may end early (the listing does not know how many keys a gap holds); a few pages at
// most are followed, each bounded by the limit.
const MAX_PAGES = 4;

function continuesTyped(item: ChildEntry, typed: Uint8Array): boolean {
  // A folder stands for its name followed by "/", which may be what was typed.
  return startsWithBytes(item.key, typed) || startsWithBytes(concatBytes(item.key, Uint8Array.of(0x2f)), typed);
}

/** `list` reads the level: etcd's whole, or the part access rules show (lib/etcd/visible-level.ts). */
export async function completeKey(
  connection: ClusterConnection,
  typed: Uint8Array,
  limit: number,
  list: LevelLister = (request) => listChildren(connection, request),
): Promise<ChildEntry[]> {
  const level = parentLevel(typed);
  let cursor: Uint8Array | undefined = typed.length > level.length ? typed : undefined;
  const matches: ChildEntry[] = [];
  for (let page = 0; page < MAX_PAGES && matches.length < limit; page++) {
    const listed = await list({ prefix: level, cursor, limit: limit - matches.length });
    for (const item of listed.items) {
      if (!continuesTyped(item, typed)) return matches;
      matches.push(item);
    }
    if (!listed.nextCursor) break;
    cursor = listed.nextCursor;
  }
  return matches;
}
