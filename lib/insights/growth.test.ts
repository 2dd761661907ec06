import { describe, expect, it } from "vitest";
import { growthWindow, OTHER_FOLDERS, shapeGrowth } from "./growth";

const HOUR = 3_600_000;

describe("growthWindow", () => {
  it("ends with the bucket holding now and covers the range in aligned buckets", () => {
    const now = Date.UTC(2026, 11, 3, 12, 7, 30);
    const day = growthWindow("24h", now);
    expect(day.bucketStarts).toHaveLength(288);
    expect(day.toMs).toBe(Date.UTC(2026, 11, 3, 12, 10));
    expect(day.fromMs).toBe(day.toMs - 24 * HOUR);
    expect(day.bucketStarts.every((start) => start % day.bucketMs === 0)).toBe(true);
    const week = growthWindow("7d", now);
    expect(week.bucketStarts).toHaveLength(168);
    expect(week.bucketStarts.at(-1)).toBe(Date.UTC(2026, 11, 3, 12));
  });
});

describe("shapeGrowth", () => {
  const window = growthWindow("24h", Date.UTC(2026, 0, 1, 0, 0));
  const [first, second] = window.bucketStarts;

  it("keeps the top folders by writes, sums the rest and fills empty buckets with zeros", () => {
    const rows = [
      { bucketStart: first, folder: "pods/", writes: 50, bytes: 5000 },
      { bucketStart: second, folder: "pods/", writes: 10, bytes: 1000 },
      { bucketStart: first, folder: "events/", writes: 30, bytes: 300 },
      { bucketStart: first, folder: "leases/", writes: 5, bytes: 50 },
      { bucketStart: second, folder: "secrets/", writes: 2, bytes: 20 },
      { bucketStart: window.fromMs - window.bucketMs, folder: "pods/", writes: 999, bytes: 1 },
    ];
    const series = shapeGrowth(rows, window, 2);
    expect(series.map((line) => line.folder)).toEqual(["pods/", "events/", OTHER_FOLDERS]);
    const [pods, events, other] = series;
    expect(pods.writesPerMinute.slice(0, 3)).toEqual([10, 2, 0]);
    expect(pods.totalWrites).toBe(60);
    expect(pods.totalBytes).toBe(6000);
    expect(pods.bytes).toHaveLength(288);
    expect(events.totalWrites).toBe(30);
    expect(other.writesPerMinute.slice(0, 2)).toEqual([1, 0.4]);
    expect(other.totalBytes).toBe(70);
  });

  it("has no other series when every folder fits", () => {
    expect(shapeGrowth([{ bucketStart: first, folder: "a/", writes: 1, bytes: 1 }], window, 5).map((line) => line.folder)).toEqual(["a/"]);
    expect(shapeGrowth([], window, 5)).toEqual([]);
  });
});
