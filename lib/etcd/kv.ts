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

function toRangeWire(request: RangeRequest) {
  return {
    key: Buffer.from(request.key),
    range_end: request.rangeEnd ? Buffer.from(request.rangeEnd) : undefined,
    limit: request.limit ?? 0,
    revision: request.revision ?? 0,
    keys_only: request.keysOnly ?? false,
    count_only: request.countOnly ?? false,
  };
}

function toRangeResult(header: ResponseHeader, answer: { kvs?: IKeyValue[] | null; more?: boolean | null; count?: unknown }): RangeResult {
  return { header, kvs: (answer.kvs ?? []).map(toKeyValue), more: Boolean(answer.more), count: Number(answer.count ?? 0) };
}

export async function range(connection: ClusterConnection, request: RangeRequest): Promise<RangeResult> {
  const response = await connection.client.kv.range(toRangeWire(request));
  return toRangeResult(toHeader(response.header), response);
}

// etcd refuses a transaction of more operations than --max-txn-ops (128 by default); staying
// well below leaves room for clusters that lower it.
const MAX_READS_PER_TXN = 64;

/**
 * Several Range reads as one request: a transaction of reads only, which etcd answers from one
 * snapshot without going through raft. For the many narrow reads one tree level needs, this turns
 * one round trip (and one request in etcd's queue) per read into one per 64 reads.
 */
export async function rangeMany(connection: ClusterConnection, requests: RangeRequest[]): Promise<RangeResult[]> {
  if (requests.length === 1) return [await range(connection, requests[0])];
  const results: RangeResult[] = [];
  for (let from = 0; from < requests.length; from += MAX_READS_PER_TXN) {
    const chunk = requests.slice(from, from + MAX_READS_PER_TXN);
    const success = chunk.map((request) => ({ request_range: toRangeWire(request) }));
    const response = await connection.client.kv.txn({ compare: [], success, failure: [] });
    const header = toHeader(response.header);
    for (const op of response.responses ?? []) {
      const answer = op.response_range;
      if (!answer) throw new Error("etcd answered a read in a transaction with something else");
      results.push(toRangeResult(header, answer));
    }
  }
  return results;
}
