import "server-only";
import type { IEvent } from "etcd3";
import { prefixRangeEnd } from "@/lib/keys";

/** One change, without its value (its size only): what the live feed passes on and the hubs keep in memory. */
export type WatchChange = {
  revision: number;
  type: "PUT" | "DELETE";
  /** Copied out of the response buffer, so a kept change does not pin the values around it. */
  key: Buffer;
  version: number;
  createRevision: number;
  modRevision: number;
  /** Bytes of the new value (0 for a DELETE), for the folder index's sizes. */
  valueSize: number;
};

/** All changes of one revision (a transaction's together), as the feed delivers them. */
export type ChangeBatch = { revision: number; changes: WatchChange[] };

export type KeyRange = { key: Buffer; rangeEnd: Buffer | undefined };

/** [key, rangeEnd) for a prefix; the empty prefix is the whole keyspace ("\0" to "\0" in etcd). */
export function rangeOfPrefix(prefix: Uint8Array): KeyRange {
  if (prefix.length === 0) return WHOLE_KEYSPACE;
  return { key: Buffer.from(prefix), rangeEnd: Buffer.from(prefixRangeEnd(prefix)) };
}

export const WHOLE_KEYSPACE: KeyRange = { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) };

export function toWatchChange(event: IEvent): WatchChange {
  const revision = Number(event.kv.mod_revision);
  return {
    revision,
    type: event.type === "Delete" ? "DELETE" : "PUT",
    key: Buffer.from(event.kv.key),
    version: Number(event.kv.version ?? 0),
    createRevision: Number(event.kv.create_revision ?? 0),
    modRevision: revision,
    valueSize: event.type === "Delete" ? 0 : (event.kv.value?.length ?? 0),
  };
}
