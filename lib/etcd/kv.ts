import "server-only";
import type { IKeyValue, IResponseHeader } from "etcd3";
import type { ClusterConnection } from "./client";

// Thin, typed access to etcd's Range RPC. Every caller states the exact [key, rangeEnd) it needs:
// etcd (up to 3.6) counts every key in the range on each request whatever the limit, so a narrow
// range end matters as much as the limit.

export type ResponseHeader = { clusterId: string; memberId: string; revision: number; raftTerm: number };

export type KeyValue = {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  /** Lease ID as a decimal string: a 64-bit ID must not pass through a float. */
  lease: string;
};

export type RangeRequest = {
  key: Uint8Array;
  /** Exclusive end; omitted for a single key. */
  rangeEnd?: Uint8Array;
  limit?: number;
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
};

export type RangeResult = { header: ResponseHeader; kvs: KeyValue[]; more: boolean; count: number };

export function toHeader(header: IResponseHeader): ResponseHeader {
  return {
    clusterId: String(header.cluster_id),
    memberId: String(header.member_id),
    revision: Number(header.revision),
    raftTerm: Number(header.raft_term),
  };
}

export function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key,
    value: kv.value ?? Buffer.alloc(0),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: String(kv.lease ?? "0"),
  };
}

export async function range(connection: ClusterConnection, request: RangeRequest): Promise<RangeResult> {
  const response = await connection.client.kv.range({
    key: Buffer.from(request.key),
    range_end: request.rangeEnd ? Buffer.from(request.rangeEnd) : undefined,
    limit: request.limit ?? 0,
    revision: request.revision ?? 0,
    keys_only: request.keysOnly ?? false,
    count_only: request.countOnly ?? false,
  });
  return {
    header: toHeader(response.header),
    kvs: (response.kvs ?? []).map(toKeyValue),
    more: Boolean(response.more),
    count: Number(response.count ?? 0),
  };
}
