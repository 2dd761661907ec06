import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { decodeRangeKeys, decodeRangeSizes } from "./range-wire";

// The reference encoder is protobufjs with etcd's RangeResponse as written in etcd's rpc.proto
// (field numbers are the wire format), independent of the hand-written reader under test.
const root = protobuf.parse(`
  syntax = "proto3";
  message ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; }
  message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }
  message RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }
`).root;
const RangeResponse = root.lookupType("RangeResponse");

type Kv = { key: Uint8Array; create_revision: number; mod_revision: number; version: number; lease: number; value: Uint8Array };

function encode(kvs: Kv[], more: boolean, count: number): Uint8Array {
  const message = RangeResponse.fromObject({
    header: { cluster_id: "14841639068965178418", member_id: "10276657743932975437", revision: 1_234_567, raft_term: 7 },
    kvs,
    more,
    count,
  });
  return RangeResponse.encode(message).finish();
}

const kv = fc.record({
  key: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  create_revision: fc.integer({ min: 1, max: 2 ** 40 }),
  mod_revision: fc.integer({ min: 1, max: 2 ** 40 }),
  version: fc.integer({ min: 1, max: 100_000 }),
  lease: fc.integer({ min: 0, max: 2 ** 50 }),
  value: fc.uint8Array({ maxLength: 50 }),
});

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

describe("decodeRangeKeys", () => {
  it("reads the keys, more and count that protobufjs encoded, for any bytes", () => {
    fc.assert(
      fc.property(fc.array(kv, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 50 }), (kvs, more, count) => {
        const page = decodeRangeKeys(encode(kvs, more, count));
        expect(page.keys).toEqual(kvs.map((entry) => latin1(entry.key)));
        expect(page.more).toBe(more);
        expect(page.count).toBe(count);
      }),
    );
  });

  it("keeps every byte of a key, including 0x00, 0x80 and 0xff", () => {
    const key = Uint8Array.from([0x2f, 0x00, 0x80, 0xff, 0xc3, 0x28]);
    const [decoded] = decodeRangeKeys(
      encode([{ key, create_revision: 1, mod_revision: 2, version: 1, lease: 0, value: new Uint8Array() }], false, 1),
    ).keys;
    expect(Buffer.from(decoded, "latin1")).toEqual(Buffer.from(key));
  });

  it("answers an empty range (no fields at all) with no keys", () => {
    expect(decodeRangeKeys(new Uint8Array())).toEqual({ keys: [], more: false, count: 0 });
  });

  it("throws a plain error, never loops, on truncated or corrupted responses", () => {
    const kvs = Array.from({ length: 5 }, (_, i) => ({
      key: Buffer.from(`/registry/pods/ns-${i}/name-${i}`),
      create_revision: 10 + i,
      mod_revision: 20 + i,
      version: 1,
      lease: 0,
      value: new Uint8Array(),
    }));
    const bytes = encode(kvs, true, 500);
    let failures = 0;
    for (let length = 1; length < bytes.length; length++) {
      try {
        decodeRangeKeys(bytes.subarray(0, length));
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        failures += 1;
      }
    }
    // Cuts that fall between two top-level fields decode as a shorter response; most do not.
    expect(failures).toBeGreaterThan(bytes.length / 2);
    expect(() => decodeRangeKeys(Uint8Array.from([0x12, 0x7f, 0x0a]))).toThrow(/runs past/);
    expect(() => decodeRangeKeys(Uint8Array.from([0x12, 0x04, 0x0a, 0x09, 0x61, 0x62]))).toThrow(/runs past/);
    expect(() => decodeRangeKeys(Uint8Array.from([0x0f]))).toThrow(/wire type 7/);
  });
});

describe("decodeRangeSizes", () => {
  it("reads the keys and the length of each value that protobufjs encoded, for any bytes", () => {
    fc.assert(
      fc.property(fc.array(kv, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 50 }), (kvs, more, count) => {
        const page = decodeRangeSizes(encode(kvs, more, count));
        expect(page.keys).toEqual(kvs.map((entry) => latin1(entry.key)));
        expect(page.sizes).toEqual(kvs.map((entry) => entry.value.length));
        expect(page.more).toBe(more);
        expect(page.count).toBe(count);
      }),
    );
  });
});
