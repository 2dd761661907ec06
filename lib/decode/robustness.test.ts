// Hostile bytes must never make decodeValue throw or hang: every mutation gives a value or an error.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject } from "./index";

const fixturesDir = process.env.ETCDLENS_FIXTURES_DIR || path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");

function seeds(): Uint8Array[] {
  const handMade = [
    encodeKubernetesObject({
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "p", labels: { a: "b" }, creationTimestamp: "2024-01-01T00:00:00Z" },
      spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: 80 }] }] },
    }),
    encodeKubernetesObject({ kind: "Secret", apiVersion: "v1", data: { k: "dmFsdWU=" } }),
  ];
  if (!existsSync(fixturesDir)) return handMade;
  const fixtures = readdirSync(fixturesDir)
    .filter((name) => name.endsWith(".pb"))
    .map((name) => new Uint8Array(readFileSync(path.join(fixturesDir, name))));
  return [...handMade, ...fixtures];
}

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = Math.floor(random() * copy.length);
  switch (Math.floor(random() * 5)) {
    case 0:
      return copy.subarray(0, at);
    case 1:
      copy[at] ^= 1 << Math.floor(random() * 8);
      return copy;
    case 2:
      copy[at] = Math.floor(random() * 256);
      return copy;
    case 3: {
      // A length prefix (or anything) turned into a huge varint.
      const out = new Uint8Array(copy.length + 4);
      out.set(copy.subarray(0, at));
      out.set([0xff, 0xff, 0xff, 0x7f], at);
      out.set(copy.subarray(at), at + 4);
      return out;
    }
    default: {
      const garbage = Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * 256));
      const out = new Uint8Array([...copy.subarray(0, at), ...garbage, ...copy.subarray(at)]);
      return out;
    }
  }
}

function expectDecodes(bytes: Uint8Array): void {
  const decoded = decodeValue(bytes);
  expect(typeof decoded.format).toBe("string");
  expect(() => JSON.stringify(decoded)).not.toThrow();
}

describe("decodeValue on damaged input", () => {
  it("survives thousands of truncations, bit flips, bad lengths and inserted garbage", () => {
    const random = prng(20240501);
    const inputs = seeds();
    let errors = 0;
    const started = performance.now();
    for (let i = 0; i < 6000; i++) {
      const seed = inputs[i % inputs.length];
      let bytes = mutate(seed, random);
      if (random() < 0.3) bytes = mutate(bytes, random);
      const decoded = decodeValue(bytes);
      expect(typeof decoded.format).toBe("string");
      expect(() => JSON.stringify(decoded)).not.toThrow();
      if (decoded.format === "kubernetes" && decoded.error) errors++;
    }
    // The mutations must actually hit the decoder's error paths, or this test proves nothing.
    expect(errors).toBeGreaterThan(1000);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 60_000);

  it("survives arbitrary bytes after the protobuf magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        expectDecodes(new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...tail]));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it("survives arbitrary bytes of any format", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => expectDecodes(bytes)),
      { numRuns: 2000, seed: 11 },
    );
  });

  it("stops at deeply nested messages instead of overflowing the stack", () => {
    // 5000 nested length-delimited fields 1: each parses as a message inside the last.
    let inner: number[] = [];
    for (let i = 0; i < 5000; i++) inner = [0x0a, ...varint(inner.length), ...inner];
    const typeMeta = [0x0a, 0x02, 0x76, 0x31, 0x12, 0x03, ...new TextEncoder().encode("Pod")];
    const bytes = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, typeMeta.length, ...typeMeta, 0x12, ...varint(inner.length), ...inner]);
    expectDecodes(bytes);
  });
});

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
