import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, MAX_CHAIN_DEPTH, ValueEncoding } from "./value-codec";

// A Pod-like object whose status changes a little each time, as kubelet writes it.
function podStatus(generation: number): Buffer {
  const env = Array.from({ length: 24 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${"v".repeat(40)}` }));
  return Buffer.from(
    JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "shop-7c9d8f6b5-x2x9z", namespace: "shop", resourceVersion: String(81_000 + generation * 7) },
      spec: { containers: [{ name: "app", image: "registry.example.com/team/app:1.2.3", env }] },
      status: {
        phase: "Running",
        conditions: [
          {
            type: "Ready",
            status: generation % 2 ? "True" : "False",
            lastTransitionTime: `2026-11-20T09:${String(generation % 60).padStart(2, "0")}:00Z`,
          },
        ],
        containerStatuses: [{ name: "app", restartCount: generation, ready: generation % 2 === 1 }],
      },
    }),
  );
}

describe("encodeValue / decodeValue", () => {
  it("reads back any value, alone or against any base", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.option(fc.uint8Array({ maxLength: 3000 })), (value, base) => {
        const baseValue = base ? Buffer.from(base) : undefined;
        const encoded = encodeValue(Buffer.from(value), baseValue ? { value: baseValue, depth: 0 } : undefined);
        const back = decodeValue(
          encoded.encoding,
          encoded.bytes,
          encoded.encoding === ValueEncoding.DeflateWithBase ? baseValue : undefined,
        );
        expect(back.equals(Buffer.from(value))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("stores a status update against the previous version in a fraction of what deflate alone takes", () => {
    const previous = podStatus(4);
    const next = podStatus(5);
    const alone = encodeValue(next);
    const against = encodeValue(next, { value: previous, depth: 3 });
    expect(alone.encoding).toBe(ValueEncoding.Deflate);
    expect(against.encoding).toBe(ValueEncoding.DeflateWithBase);
    expect(against.depth).toBe(4);
    expect(against.bytes.length).toBeLessThan(alone.bytes.length / 4);
    expect(decodeValue(against.encoding, against.bytes, previous).equals(next)).toBe(true);
  });

  it("cuts the chain of bases at MAX_CHAIN_DEPTH: the value is stored alone", () => {
    const encoded = encodeValue(podStatus(2), { value: podStatus(1), depth: MAX_CHAIN_DEPTH });
    expect(encoded.encoding).toBe(ValueEncoding.Deflate);
    expect(encoded.depth).toBe(0);
  });

  it("keeps values deflate cannot shrink, and empty values, as they are", () => {
    const noise = randomBytes(2048);
    expect(encodeValue(noise).encoding).toBe(ValueEncoding.Raw);
    expect(encodeValue(Buffer.alloc(0), { value: podStatus(1), depth: 0 })).toMatchObject({ encoding: ValueEncoding.Raw, depth: 0 });
  });

  it("uses only the last 32 KiB of a large base and still reads back", () => {
    const large = Buffer.concat([randomBytes(50_000), podStatus(1)]);
    const next = Buffer.concat([large.subarray(0, 50_000), podStatus(2)]);
    const encoded = encodeValue(next, { value: large, depth: 0 });
    expect(
      decodeValue(encoded.encoding, encoded.bytes, encoded.encoding === ValueEncoding.DeflateWithBase ? large : undefined).equals(next),
    ).toBe(true);
  });

  it("says what is missing when a value stored against a base is read without it", () => {
    const encoded = encodeValue(podStatus(2), { value: podStatus(1), depth: 0 });
    expect(() => decodeValue(encoded.encoding, encoded.bytes)).toThrow(/previous version/);
    expect(() => decodeValue(7 as ValueEncoding, Buffer.alloc(1))).toThrow(/unknown archived value encoding 7/);
  });
});
