import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RangeStepper } from "./range-stepper";

// etcd's answer to a range, computed from a sorted array: the first `limit` keys in
// [start, end) ("\0" as end: to the end), whether there are more, and how many there are.
function answer(sorted: string[], start: Buffer, end: Buffer, limit: number) {
  const from = lowerBound(sorted, start.toString("latin1"));
  const to = end.equals(Buffer.from([0])) ? sorted.length : lowerBound(sorted, end.toString("latin1"));
  const count = Math.max(0, to - from);
  return { count, keys: sorted.slice(from, from + Math.min(limit, count)), more: count > limit };
}

function lowerBound(sorted: string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function readAll(keys: string[], limit: number) {
  const sorted = [...new Set(keys)].sort();
  const stepper = new RangeStepper();
  const read: string[] = [];
  let requests = 0;
  for (let range = stepper.next(); range; range = stepper.next()) {
    const outcome = answer(sorted, range.start, range.end, limit);
    read.push(...outcome.keys);
    stepper.record(range, outcome, limit);
    requests += 1;
    if (requests > 100_000) throw new Error("the pass did not end");
  }
  return { sorted, read, requests, walked: stepper.keysWalked };
}

const latin1Key = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("latin1"));
const sharedPrefixKey = fc
  .tuple(fc.constantFrom("/registry/", "/registry/events/ns-1/", "\u00ff\u00ff", "a".repeat(280)), latin1Key)
  .map(([prefix, rest]) => prefix + rest);

// A small cluster's shape: most keys are events in many namespaces, a few resource folders.
function kubernetesShapedKeys(): string[] {
  const keys: string[] = [];
  for (let ns = 0; ns < 60; ns++) {
    for (let i = 0; i < 500; i++) keys.push(`/registry/events/ns-${ns}/app-${(i * 7919) % 997}.${(i * 104729).toString(16)}`);
    for (let i = 0; i < 40; i++) keys.push(`/registry/pods/ns-${ns}/app-${i.toString(36)}-7c9d8f6b5-${(i * 31).toString(16)}`);
  }
  for (let i = 0; i < 300; i++) keys.push(`/registry/leases/kube-node-lease/node-${i}`, `/registry/minions/node-${i}`);
  keys.push("/registry/ranges/serviceips", "compact_rev_key", "\u0000first", "\u00ff\u00fflast");
  return keys;
}

describe("RangeStepper", () => {
  it("reads every key exactly once and in order, whatever the keys and the page size", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(latin1Key, sharedPrefixKey), { maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (keys, limit) => {
        const { sorted, read } = readAll(keys, limit);
        expect(read).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });

  it("reads an empty keyspace with a few requests", () => {
    const { read, requests } = readAll([], 100);
    expect(read).toEqual([]);
    expect(requests).toBeLessThan(80);
  });

  it("keeps the keys etcd walks near the keys it reads on a Kubernetes-shaped keyspace", () => {
    const { sorted, read, walked } = readAll(kubernetesShapedKeys(), 2_000);
    expect(read).toEqual(sorted);
    // Open-ended pages would walk the rest of the keyspace each time: 8.8 times the keys here.
    expect(walked / sorted.length).toBeLessThan(5);
  });
});
