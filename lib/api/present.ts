import "server-only";
import type { ChildEntry } from "@/lib/etcd/tree-level";
import type { KeyValue } from "@/lib/etcd/kv";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import type { ChildDto, KeyValueDto } from "./dto";

// Reshapes what lib/etcd returns into the wire types of lib/api/dto.ts.

export function presentChild(child: ChildEntry): ChildDto {
  return {
    name: keyToDisplay(child.name),
    key: keyToDisplay(child.key),
    keyBase64: bytesToBase64(child.key),
    isKey: child.isKey,
    hasChildren: child.hasChildren,
  };
}

export function presentKeyValue(kv: KeyValue): KeyValueDto {
  return {
    key: keyToDisplay(kv.key),
    keyBase64: bytesToBase64(kv.key),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
    size: kv.value.length,
  };
}
