import "server-only";
import type { ChildEntry, ChildrenPage } from "@/lib/etcd/tree-level";
import { bytesToBase64, bytesToBase64Url, keyToDisplay } from "@/lib/keys";
import type { ChildDto, ChildrenDto } from "./dto";

// The one place tree entries (ChildDto) and a tree level's page (ChildrenDto) are built, for the
// tree (/api/keys) and the jump box (/api/complete) alike.

export function presentChild(child: ChildEntry): ChildDto {
  const dto: ChildDto = {
    name: keyToDisplay(child.name),
    key: keyToDisplay(child.key),
    keyBase64: bytesToBase64(child.key),
    isKey: child.isKey,
    hasChildren: child.hasChildren,
  };
  if (child.keyCount !== undefined) dto.keyCount = child.keyCount;
  if (child.partial) dto.partial = true;
  return dto;
}

/**
 * One page of a level. `listed` names the folder listed instead of the prefix asked for (which
 * lacked its trailing slash), with whether a key of the asked name exists as well.
 */
export function presentChildren(page: ChildrenPage, listed?: { asked: Uint8Array; folder: Uint8Array; keyExists: boolean }): ChildrenDto {
  return {
    ...(listed ? { listed: presentListed(listed.asked, listed.folder, listed.keyExists) } : {}),
    revision: page.revision,
    items: page.items.map(presentChild),
    nextCursor: page.nextCursor ? bytesToBase64Url(page.nextCursor) : null,
    ...(page.indexing ? { indexing: page.indexing } : {}),
  };
}

function presentListed(asked: Uint8Array, folder: Uint8Array, keyExists: boolean): NonNullable<ChildrenDto["listed"]> {
  return {
    prefix: keyToDisplay(folder),
    prefixBase64: bytesToBase64(folder),
    message: `listed the folder ${keyToDisplay(folder)}: a level's prefix ends with "/"${keyExists ? ` (the key ${keyToDisplay(asked)} itself exists too)` : ""}`,
  };
}

/** The jump box's suggestions: entries without key counts (it never shows them). */
export function presentCompletions(items: ChildEntry[]): { items: ChildDto[] } {
  return { items: items.map(({ keyCount: _keyCount, ...child }) => presentChild(child)) };
}
