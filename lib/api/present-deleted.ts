import "server-only";
import type { RevisionTime } from "@/lib/archive/store";
import { decodeValue } from "@/lib/decode";
import type { DeletedItem } from "@/lib/deleted/list-deleted";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { DeletedItemDto } from "./dto";
import { presentRevisionTime } from "./present-archive";

// The one place a deleted key is built for the wire (GET /api/deleted): its last value decoded
// with Secret values masked (never revealed here), and for a Kubernetes object its kind, namespace and name.

function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** `readable`: whether the viewer may read the key's values (access rules); else only that it was deleted. */
export function presentDeleted(item: DeletedItem, time: RevisionTime | undefined, readable: boolean): DeletedItemDto {
  const body: DeletedItemDto = {
    key: keyToDisplay(item.key),
    keyBase64: bytesToBase64(item.key),
    deletedAt: item.deletedAt,
    ...presentRevisionTime(time),
    lastRevision: item.last?.modRevision ?? null,
    lastFrom: item.last ? item.lastFrom : null,
    existsNow: item.existsNow,
    summary: item.last ? "deleted" : "deleted (its last value is compacted and not archived)",
  };
  if (item.last?.lease) body.lease = item.last.lease;
  if (!readable || !item.last) return body;
  const value = decodeValue(item.last.value, { modRevision: item.last.modRevision, key: item.key });
  body.value = value;
  if (value.format === "kubernetes") {
    const metadata = value.object.metadata;
    const meta = metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata : {};
    body.kind = value.kind;
    const namespace = textOf(meta.namespace);
    const name = textOf(meta.name);
    if (namespace) body.namespace = namespace;
    if (name) body.name = name;
    body.summary = `${value.kind} ${namespace ? `${namespace}/` : ""}${name ?? ""} deleted`.replace("  ", " ");
  } else {
    body.summary = `deleted (${item.last.value.length} bytes, version ${item.last.version})`;
  }
  if (item.existsNow) body.summary += ", re-created since";
  return body;
}
