import { describe, expect, it } from "vitest";
import { FolderTree, writeRatesOf } from "./folder-tree";
import { LargestValues } from "./largest-values";
import { SizeTable } from "./size-table";
import { WriteRate } from "./write-rate";

// The pure parts of the folder index's space and churn figures: the per-key size table, the
// write-rate buckets, the largest-values set and the tree's per-folder bytes and writes.

describe("SizeTable", () => {
  it("agrees with a Map through random sets and deletes, across growth and backward-shift deletion", () => {
    const table = new SizeTable(0);
    const reference = new Map<string, number>();
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const mismatches: string[] = [];
    for (let step = 0; step < 40_000; step++) {
      const key = `/registry/k${Math.floor(random() * 5_000)}`;
      const before = reference.get(key) ?? 0;
      if (random() < 0.35) {
        if (table.delete(key) !== before) mismatches.push(`delete ${key}`);
        reference.delete(key);
      } else {
        const size = Math.floor(random() * 100_000);
        if (table.set(key, size) !== before) mismatches.push(`set ${key}`);
        reference.set(key, size);
      }
    }
    for (let k = 0; k < 5_000; k++) {
      const key = `/registry/k${k}`;
      if (table.sizeOf(key) !== (reference.get(key) ?? 0)) mismatches.push(`size of ${key}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(table.count).toBe(reference.size);
  });

  it("marks keys the feed wrote during a pass, keeps their deletions until the pass ends, then forgets them", () => {
    const table = new SizeTable();
    table.set("a", 10);
    expect(table.get("a")).toEqual({ size: 10, fromFeed: false });
    table.set("b", 5, true);
    expect(table.get("b")).toEqual({ size: 5, fromFeed: true });
    expect(table.delete("a", true)).toBe(10);
    expect(table.delete("never-sized", true)).toBe(0);
    expect(table.get("a")).toEqual({ size: 0, fromFeed: true });
    expect(table.get("never-sized")).toEqual({ size: 0, fromFeed: true });
    expect(table.sizeOf("a")).toBe(0);
    table.clearMarks();
    expect(table.get("a")).toBeUndefined();
    expect(table.get("never-sized")).toBeUndefined();
    expect(table.get("b")).toEqual({ size: 5, fromFeed: false });
    expect(table.count).toBe(1);
  });

  it("holds keys of any bytes, 0x00 and 0xff included, apart", () => {
    const table = new SizeTable();
    const keys = ["\x00", "\x00\x00", "\xff", "/a\x80", "/a\x81", ""];
    keys.forEach((key, at) => table.set(key, at + 1));
    keys.forEach((key, at) => expect(table.sizeOf(key)).toBe(at + 1));
  });
});

describe("WriteRate", () => {
  it("counts the last minute in 5 s buckets and the last 10 and 60 minutes in minute buckets", () => {
    const rate = new WriteRate();
    const start = 1_000 * 60_000;
    for (let minute = 0; minute < 60; minute++) rate.record(start + minute * 60_000, minute + 1);
    const now = start + 59 * 60_000;
    // Minute 59 holds 60 writes; the ten minutes 50..59 hold 51+..+60 = 555; the hour 1+..+60 = 1830.
    expect(rate.rates(now)).toEqual({ perMinute: 60, perMinute10: 55.5, perMinute60: 30.5, writes60: 1_830 });
    // 56 s later the last bucket of the last minute has left the 1-minute window, not the hour's.
    expect(rate.rates(now + 60_000).perMinute).toBe(0);
    expect(rate.rates(now + 60_000).writes60).toBe(1_830 - 1);
  });

  it("forgets everything after an idle hour", () => {
    const rate = new WriteRate();
    rate.record(5_000_000, 10);
    expect(rate.rates(5_000_000 + 3_600_000 + 60_000)).toEqual({ perMinute: 0, perMinute10: 0, perMinute60: 0, writes60: 0 });
  });
});

describe("LargestValues", () => {
  it("lists exactly the largest values above its floor, by prefix, after evictions and removals", () => {
    const largest = new LargestValues(10);
    for (let i = 1; i <= 100; i++) largest.offer(`/p/${i}`, i * 10);
    expect(largest.floor).toBeGreaterThan(0);
    expect(largest.largest("/p/", 3)).toEqual([
      { key: "/p/100", size: 1_000 },
      { key: "/p/99", size: 990 },
      { key: "/p/98", size: 980 },
    ]);
    largest.remove("/p/100");
    largest.offer("/p/99", 5);
    largest.offer("/q/1", 5_000);
    expect(largest.largest("/p/", 2)).toEqual([
      { key: "/p/98", size: 980 },
      { key: "/p/97", size: 970 },
    ]);
    expect(largest.largest("/q/", 5)).toEqual([{ key: "/q/1", size: 5_000 }]);
    for (const entry of largest.largest("", 50)) expect(entry.size).toBeGreaterThan(largest.floor);
  });
});

describe("FolderTree bytes and writes", () => {
  it("adds a write's bytes and one write to every folder on its path, the root included", () => {
    const tree = new FolderTree();
    tree.addKey("/registry/pods/ns/a");
    tree.addKey("/registry/pods/ns/b");
    tree.recordWrite("/registry/pods/ns/a", 100, 60_000);
    tree.recordWrite("/registry/pods/ns/b", 50, 60_000);
    tree.recordWrite("/registry/pods/ns/a", -30, null);
    expect(tree.root.bytes).toBe(120);
    expect(tree.folder("/registry/pods/ns/")!.bytes).toBe(120);
    expect(tree.folder("/registry/pods/")!.bytes).toBe(120);
    expect(writeRatesOf(tree.folder("/registry/pods/ns/")!, 60_000).perMinute).toBe(2);
    expect(writeRatesOf(tree.root, 60_000).perMinute).toBe(2);
    tree.clearBytes();
    expect(tree.folder("/registry/")!.bytes).toBe(0);
  });
});
