import { describe, expect, it } from "vitest";
import { presentGrowth, presentWriters } from "./present-insights";
import type { BusiestWriters } from "@/lib/etcd/busiest-writers";
import { OTHER_LABELS } from "@/lib/insights/writer-counts";

const rank = (label: string, writes: number) => ({ label, writes, writesPerMinute: writes / 2 });

const report: BusiestWriters = {
  sinceMs: 0,
  minutes: 2,
  totalWrites: 30,
  top: {
    prefix: [rank("/registry/", 20), rank("/secret-app/", 6), rank(OTHER_LABELS, 4)],
    kind: [rank("Pod", 20)],
    namespace: [rank("shop", 20)],
    manager: [rank("kubelet", 20)],
  },
  kubernetesPrefixes: ["/registry/"],
};

describe("presentWriters", () => {
  it("shows everything to a viewer who sees the whole keyspace", () => {
    const dto = presentWriters(report, () => true);
    expect(dto.prefixes.map((line) => line.label)).toEqual(["/registry/", "/secret-app/", OTHER_LABELS]);
    expect(dto.totalWrites).toBe(30);
    expect(dto.kubernetes?.managers).toEqual([{ label: "kubelet", writes: 20, writesPerMinute: 10 }]);
    expect(dto.hiddenPrefixes).toBe(0);
  });

  it("leaves out prefixes seen in part, the other labels and their writes, and the Kubernetes figures without all of /registry/", () => {
    const onlyRegistry = presentWriters(report, (prefix) => prefix === "/registry/");
    expect(onlyRegistry.prefixes.map((line) => line.label)).toEqual(["/registry/"]);
    expect(onlyRegistry.totalWrites).toBe(20);
    expect(onlyRegistry.hiddenPrefixes).toBe(2);
    expect(onlyRegistry.kubernetes?.kinds[0].label).toBe("Pod");
    const notRegistry = presentWriters(report, (prefix) => prefix === "/secret-app/");
    expect(notRegistry.kubernetes).toBeNull();
    expect(notRegistry.totalWrites).toBe(6);
  });
});

describe("presentGrowth", () => {
  it("says how to turn the archive on when it is off", () => {
    const dto = presentGrowth(new Uint8Array(), "24h", null);
    expect(dto).toMatchObject({ archive: "off" });
    expect(dto.archive === "off" && dto.message).toMatch(/ETCDLENS_ARCHIVE=off/);
  });
});
