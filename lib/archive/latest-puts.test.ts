import { describe, expect, it } from "vitest";
import { LatestPuts } from "./latest-puts";

const put = (revision: number) => ({ revision, value: Buffer.from(`v${revision}`), depth: 0 });

describe("LatestPuts", () => {
  it("keeps a replayed PUT below a baseline's newer one as a base for the next replayed version", () => {
    const cache = new LatestPuts<number>();
    // The baseline stored the key at revision 900; the replay of etcd's history then stores 100, 200.
    cache.remember(1, put(900));
    expect(cache.below(1, 150)).toBeUndefined();
    cache.remember(1, put(100));
    expect(cache.below(1, 200)?.revision).toBe(100);
    cache.remember(1, put(200));
    expect(cache.below(1, 300)?.revision).toBe(200);
    expect(cache.below(1, 901)?.revision).toBe(900);
    expect(cache.get(1)?.revision).toBe(900);
    expect(cache.at(1, 200)?.value.toString()).toBe("v200");
    expect(cache.at(1, 100)).toBeUndefined();
  });

  it("moves the newest down when a newer PUT arrives, and ignores an older one than both", () => {
    const cache = new LatestPuts<string>();
    cache.remember("k", put(5));
    cache.remember("k", put(8));
    cache.remember("k", put(3));
    expect(cache.below("k", 8)?.revision).toBe(5);
    expect(cache.below("k", 5)).toBeUndefined();
    cache.clear();
    expect(cache.get("k")).toBeUndefined();
  });
});
