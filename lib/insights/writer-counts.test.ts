import { describe, expect, it } from "vitest";
import { OTHER_LABELS, topLevelPrefixOf, WriterCounts } from "./writer-counts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

describe("WriterCounts", () => {
  it("ranks labels per dimension by writes and averages them over the minutes counted", () => {
    const counts = new WriterCounts(T0, { windowMinutes: 10, maxLabels: 100 });
    for (let i = 0; i < 30; i++) counts.record(T0 + i * 1000, { prefix: "/registry/", kind: "Pod", namespace: "shop", manager: "kubelet" });
    for (let i = 0; i < 10; i++) counts.record(T0 + MINUTE + i * 1000, { prefix: "/registry/", kind: "Lease", manager: "kube-scheduler" });
    for (let i = 0; i < 4; i++) counts.record(T0 + MINUTE + i, { prefix: "/app/" });
    const report = counts.report(T0 + 2 * MINUTE, 5);
    expect(report.minutes).toBe(2);
    expect(report.totalWrites).toBe(44);
    expect(report.top.prefix).toEqual([
      { label: "/registry/", writes: 40, writesPerMinute: 20 },
      { label: "/app/", writes: 4, writesPerMinute: 2 },
    ]);
    expect(report.top.kind.map((rank) => rank.label)).toEqual(["Pod", "Lease"]);
    expect(report.top.namespace).toEqual([{ label: "shop", writes: 30, writesPerMinute: 15 }]);
    expect(report.top.manager[0]).toEqual({ label: "kubelet", writes: 30, writesPerMinute: 15 });
  });

  it("forgets minutes that left the window", () => {
    const counts = new WriterCounts(T0, { windowMinutes: 3, maxLabels: 100 });
    counts.record(T0, { prefix: "/old/" });
    counts.record(T0 + 5 * MINUTE, { prefix: "/new/" });
    const report = counts.report(T0 + 5 * MINUTE + 30_000, 5);
    expect(report.top.prefix.map((rank) => rank.label)).toEqual(["/new/"]);
    expect(report.minutes).toBe(2.5);
  });

  it("caps distinct labels per minute and counts the rest as other, keeping the totals whole", () => {
    const counts = new WriterCounts(T0, { windowMinutes: 2, maxLabels: 3 });
    for (let minute = 0; minute < 50; minute++)
      for (let i = 0; i < 100; i++) counts.record(T0 + minute * MINUTE, { namespace: `ns-${minute}-${i}` });
    expect(counts.heldLabels).toBeLessThanOrEqual(2 * 4);
    const report = counts.report(T0 + 49 * MINUTE, 10);
    const other = report.top.namespace.find((rank) => rank.label === OTHER_LABELS);
    expect(other?.writes).toBe(2 * 97);
    expect(report.top.namespace.reduce((sum, rank) => sum + rank.writes, 0)).toBe(200);
  });
});

describe("topLevelPrefixOf", () => {
  it("cuts a key after its top-level folder", () => {
    expect(topLevelPrefixOf("/registry/pods/shop/web-1")).toBe("/registry/");
    expect(topLevelPrefixOf("config/app/db")).toBe("config/");
    expect(topLevelPrefixOf("/lonely")).toBe("/lonely");
    expect(topLevelPrefixOf("x".repeat(100))).toHaveLength(64);
  });
});
