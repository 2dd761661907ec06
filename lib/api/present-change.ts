import "server-only";
import { describeVersions, type VersionInput, type VersionMeaning } from "@/lib/diff/lifecycle";
import type { ChangeItem, ChangesPage } from "@/lib/etcd/changes";
import type { WatchChange } from "@/lib/etcd/watch";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { RevisionTime } from "@/lib/archive/store";
import type { ChangeDto, ChangesDto, WatchEventDto } from "./dto";
import { presentRevisionTime } from "./present-archive";

// The one place changes are built for the wire: a page of the change feed (ChangesDto) and one
// live change of /api/watch (WatchEventDto).

// A change in the history pane's words (lib/diff/lifecycle): "created", "deleted", or what an
// update changed against the version it replaced, and who made it. As in history, Secret values
// stay masked even where the operator allows revealing them: that is one value per click, through
// /api/secret.
function describeChange(item: ChangeItem): VersionMeaning {
  const { type, revision, version, createRevision, value } = item;
  const current: VersionInput = { type, revision, version, createRevision, value };
  const options = { revealSecrets: false, key: item.key };
  if (item.recreated) {
    // The tombstone before a re-creation, with the value it removed when the page saw it (for the uid).
    const tombstone: VersionInput = {
      type: "DELETE",
      revision: revision - 1,
      version: 0,
      createRevision: 0,
      value: item.recreated.removed?.value ?? null,
    };
    return describeVersions([current], tombstone, true, options)[0];
  }
  const replaced: VersionInput | undefined = item.previous
    ? { type: "PUT", revision: item.previous.modRevision, version: version - 1, createRevision, value: item.previous.value }
    : undefined;
  return describeVersions([current], replaced, false, options)[0];
}

/**
 * Whether a field manager named exactly `manager` made the change: the change feed's `manager=`
 * filter, applied to items whose replaced version is already read.
 */
export function isChangeBy(item: ChangeItem, manager: string): boolean {
  if (item.type === "DELETE") return false;
  return describeChange(item).managers?.some((change) => change.manager === manager) ?? false;
}

// A change to a key the viewer may list but not read: what happened, not what it changed to.
function describeUnread(item: ChangeItem): VersionMeaning {
  const summary = item.type === "DELETE" ? "deleted" : item.version === 1 ? "created" : "updated";
  return { lifecycle: item.createRevision, summary };
}

/** `readable`: whether the viewer may read the key's values (access rules); else the summary says only what happened. */
export function presentChange(item: ChangeItem, time?: RevisionTime, readable = true): ChangeDto {
  const meaning = readable ? describeChange(item) : describeUnread(item);
  const body: ChangeDto = {
    revision: item.revision,
    key: keyToDisplay(item.key),
    keyBase64: bytesToBase64(item.key),
    type: item.type,
    version: item.version,
    summary: meaning.summary,
  };
  if (meaning.managers) body.managers = meaning.managers;
  return { ...body, ...presentRevisionTime(time) };
}

export function presentChanges(
  page: ChangesPage,
  times: ReadonlyMap<number, RevisionTime> = new Map(),
  readable: (key: Uint8Array) => boolean = () => true,
): ChangesDto {
  return { ...page, items: page.items.map((item) => presentChange(item, times.get(item.revision), readable(item.key))) };
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
