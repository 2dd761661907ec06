import { describe, expect, it } from "vitest";
import { computeMemberFigures, DEFAULT_QUOTA_BACKEND_BYTES, describeReclaim } from "./etcd-figures";

describe("computeMemberFigures", () => {
  it("reclaims what is allocated and not in use, and shares the size against the quota", () => {
    const figures = computeMemberFigures({ dbSize: 300_000_000, dbSizeInUse: 120_000_000, raftIndex: 50, raftAppliedIndex: 47 }, 1e9);
    expect(figures).toEqual({ quotaBytes: 1e9, quotaShare: 0.3, reclaimableBytes: 180_000_000, applyLag: 3 });
    expect(describeReclaim(figures.reclaimableBytes)).toBe("defragmenting would reclaim 180.0 MB");
  });

  it("says nothing is known when etcd reports no size in use or applied index (before 3.4)", () => {
    const figures = computeMemberFigures({ dbSize: 4096, dbSizeInUse: 0, raftIndex: 9, raftAppliedIndex: 0 }, DEFAULT_QUOTA_BACKEND_BYTES);
    expect(figures.reclaimableBytes).toBeNull();
    expect(figures.applyLag).toBeNull();
    expect(describeReclaim(null)).toMatch(/does not report/);
  });

  it("never reclaims a negative amount (in use read a moment after the size)", () => {
    expect(computeMemberFigures({ dbSize: 100, dbSizeInUse: 120, raftIndex: 1, raftAppliedIndex: 1 }, 1000).reclaimableBytes).toBe(0);
    expect(describeReclaim(0)).toBe("defragmenting would reclaim nothing");
  });

  it("defaults the quota to etcd's 2 GiB", () => {
    expect(DEFAULT_QUOTA_BACKEND_BYTES).toBe(2147483648);
  });
});
