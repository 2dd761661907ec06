import "server-only";
import type { ChangeItem, ChangesPage } from "@/lib/etcd/changes";
import type { WatchChange } from "@/lib/etcd/watch";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { ChangeDto, ChangesDto, WatchEventDto } from "./dto";

// The one place changes are built for the wire: a page of the change feed (ChangesDto) and one
// live change of /api/watch (WatchEventDto).

export function presentChange(item: ChangeItem): ChangeDto {
  return { revision: item.revision, key: keyToDisplay(item.key), keyBase64: bytesToBase64(item.key), type: item.type, version: item.version };
}

export function presentChanges(page: ChangesPage): ChangesDto {
  return { ...page, items: page.items.map(presentChange) };
}

export function presentWatchEvent(change: WatchChange): WatchEventDto {
  return {
    revision: change.revision,
    type: change.type,
    key: keyToDisplay(change.key),
    keyBase64: bytesToBase64(change.key),
    version: change.version,
    createRevision: change.createRevision,
    modRevision: change.modRevision,
  };
}
