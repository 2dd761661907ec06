import { describe, expect, it } from "vitest";
import { MAX_WATCH_STREAMS_PER_CLUSTER, StreamBudget, STREAMS_PER_PURPOSE, type StreamSlot } from "./stream-budget";

describe("StreamBudget", () => {
  it("adds up to the ceiling the README states", () => {
    expect(Object.values(STREAMS_PER_PURPOSE).reduce((sum, count) => sum + count, 0)).toBe(MAX_WATCH_STREAMS_PER_CLUSTER);
  });

  it("never holds more slots of a purpose than its limit, however many ask", async () => {
    const budget = new StreamBudget();
    const granted: StreamSlot[] = [];
    let grants = 0;
    const asked = Array.from({ length: 10 }, () =>
      budget.acquire("replay", 10_000).then((slot) => {
        grants += 1;
        granted.push(slot);
      }),
    );
    await Promise.resolve();
    expect(granted).toHaveLength(2);
    expect(budget.held().replay).toBe(2);
    expect(budget.waiting("replay")).toBe(8);
    // Releasing one hands its slot to the oldest waiter; the count never goes past the limit.
    while (grants < 10) {
      const slot = granted.shift()!;
      slot.release();
      slot.release(); // twice: released once only
      await Promise.resolve();
      expect(budget.held().replay).toBeLessThanOrEqual(2);
    }
    await Promise.all(asked);
    for (const slot of granted) slot.release();
    expect(budget.held()).toEqual({ feed: 0, replay: 0, archive: 0 });
  });

  it("keeps purposes apart: busy replays do not take the feed's slot", async () => {
    const budget = new StreamBudget();
    await budget.acquire("replay", 100);
    await budget.acquire("replay", 100);
    const feed = await budget.acquire("feed", 100);
    expect(feed.purpose).toBe("feed");
    expect(budget.held()).toEqual({ feed: 1, replay: 2, archive: 0 });
  });

  it("refuses at once when the queue is full, and after the wait when no slot frees up", async () => {
    const budget = new StreamBudget({ feed: 1, replay: 1, archive: 1 }, 1);
    await budget.acquire("replay", 100);
    const waiting = budget.acquire("replay", 50);
    await expect(budget.acquire("replay", 1_000)).rejects.toMatchObject({ code: "etcd_unavailable" });
    await expect(waiting).rejects.toThrow(/try again shortly/);
    expect(budget.waiting("replay")).toBe(0);
    expect(budget.refused).toBe(2);
  });
});
