import { describe, expect, it } from "vitest";
import type { IEvent } from "etcd3";
import { FragmentAssembler, groupByRevision } from "./revision-batches";

const event = (key: string, revision: number): IEvent =>
  ({ type: "Put", kv: { key: Buffer.from(key), value: Buffer.from("v"), mod_revision: String(revision) } }) as unknown as IEvent;
const keysOf = (events: IEvent[] | null) => events?.map((one) => one.kv.key.toString()) ?? null;

describe("FragmentAssembler", () => {
  it("passes a whole response through", () => {
    const assembler = new FragmentAssembler();
    expect(keysOf(assembler.add({ events: [event("a", 5)] }))).toEqual(["a"]);
    expect(assembler.reassembled).toBe(0);
  });

  it("holds fragments back until the response without the flag, then gives all of them in order", () => {
    const assembler = new FragmentAssembler();
    expect(assembler.add({ events: [event("a", 7), event("b", 7)], fragment: true })).toBeNull();
    expect(assembler.add({ events: [event("c", 7)], fragment: true })).toBeNull();
    expect(assembler.pendingEvents).toBe(3);
    expect(keysOf(assembler.add({ events: [event("d", 7)] }))).toEqual(["a", "b", "c", "d"]);
    expect(assembler.pendingEvents).toBe(0);
    expect(assembler.reassembled).toBe(1);
    expect(keysOf(assembler.add({ events: [event("e", 8)] }))).toEqual(["e"]);
  });

  it("treats a response without events as complete", () => {
    expect(new FragmentAssembler().add({})).toEqual([]);
  });
});

describe("groupByRevision", () => {
  it("cuts one response into whole revisions, a transaction's events staying together", () => {
    const batches = groupByRevision([event("a", 3), event("b", 4), event("c", 4), event("d", 4), event("e", 6)]);
    expect(batches.map((batch) => [batch.revision, keysOf(batch.events)])).toEqual([
      [3, ["a"]],
      [4, ["b", "c", "d"]],
      [6, ["e"]],
    ]);
  });

  it("gives no batch for no events", () => {
    expect(groupByRevision([])).toEqual([]);
  });
});
