import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RangePlanner, type KeyRange } from "./range-planner";

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

/**
 * Reads the keyspace with up to `concurrency` ranges in flight, answering them in the order
 * `pick` chooses (first, last, or random), as etcd may answer concurrent requests in any order.
 */
function readAll(keys: string[], limit: number, concurrency = 1, pick: (inFlight: number) => number = () => 0, maxHeldKeys?: number) {
  const sorted = [...new Set(keys)].sort();
  const planner = new RangePlanner({ maxHeldKeys });
  let mostHeld = 0;
  const read: string[] = [];
  const inFlight: KeyRange[] = [];
  let requests = 0;
  while (!planner.finished) {
    for (
      let range = inFlight.length < concurrency ? planner.nextRange() : null;
      range;
      range = inFlight.length < concurrency ? planner.nextRange() : null
    ) {
      inFlight.push(range);
    }
    if (inFlight.length === 0) throw new Error("nothing to read but the pass is not finished");
    const [range] = inFlight.splice(pick(inFlight.length), 1);
    planner.record(range, answer(sorted, range.start, range.end, limit), limit);
    mostHeld = Math.max(mostHeld, planner.keysHeld);
    for (const page of planner.takeKeysInOrder()) read.push(...page);
    requests += 1;
    if (requests > 100_000) throw new Error("the pass did not end");
  }
  return { sorted, read, requests, walked: planner.keysWalked, mostHeld };
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

describe("RangePlanner", () => {
  it("reads every key exactly once and in order, whatever the keys and the page size", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(latin1Key, sharedPrefixKey), { maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (keys, limit) => {
        const { sorted, read } = readAll(keys, limit);
        expect(read).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });

  it("hands out every key exactly once and in order with ranges answered out of order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(latin1Key, sharedPrefixKey), { maxLength: 300 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 4 }),
        fc.infiniteStream(fc.nat()),
        (keys, limit, concurrency, choices) => {
          const { sorted, read } = readAll(keys, limit, concurrency, (size) => choices.next().value % size);
          expect(read).toEqual(sorted);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("holds few keys for an earlier range still being read, however the answers are ordered", () => {
    // The last range in flight is answered first, always: the worst order for holding keys.
    const { sorted, read, mostHeld } = readAll(kubernetesShapedKeys(), 500, 3, (size) => size - 1, 2_000);
    expect(read).toEqual(sorted);
    // The bound, plus what the ranges already in flight bring when they answer.
    expect(mostHeld).toBeLessThanOrEqual(2_000 + 3 * 500);
  });

  it("reads an empty keyspace with a few requests", () => {
    const { read, requests } = readAll([], 100);
    expect(read).toEqual([]);
    expect(requests).toBeLessThan(80);
  });

  it("keeps the keys etcd walks near the keys it reads on a Kubernetes-shaped keyspace", () => {
    for (const concurrency of [1, 2]) {
      const { sorted, read, walked } = readAll(kubernetesShapedKeys(), 2_000, concurrency);
      expect(read).toEqual(sorted);
      // Open-ended pages would walk the rest of the keyspace each time: 8.8 times the keys here.
      expect(walked / sorted.length).toBeLessThan(5);
    }
  });
});
