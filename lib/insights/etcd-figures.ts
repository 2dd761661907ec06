// etcd's own figures of one member, as an operator reads them: the database against its quota, the
// space defragmenting would give back, and how far the member has applied what raft committed.

/** etcd's default --quota-backend-bytes (2 GiB); Status does not report the quota in 3.4 or 3.5. */
export const DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024 ** 3;

export type MemberStatusInput = {
  dbSize: number;
  /** 0 from an etcd before 3.4, which does not report it. */
  dbSizeInUse: number;
  raftIndex: number;
  raftAppliedIndex: number;
};

export type MemberFigures = {
  quotaBytes: number;
  /** dbSize / quota, 0..1 (over 1 once etcd has passed it, which raises NOSPACE). */
  quotaShare: number;
  /** Bytes a defragmentation would give back (dbSize - dbSizeInUse); null when etcd does not say what is in use. */
  reclaimableBytes: number | null;
  /** Entries committed but not yet applied (raftIndex - raftAppliedIndex); null when etcd does not say. */
  applyLag: number | null;
};

export function computeMemberFigures(status: MemberStatusInput, quotaBytes: number): MemberFigures {
  const knowsInUse = status.dbSizeInUse > 0;
  return {
    quotaBytes,
    quotaShare: quotaBytes > 0 ? status.dbSize / quotaBytes : 0,
    reclaimableBytes: knowsInUse ? Math.max(0, status.dbSize - status.dbSizeInUse) : null,
    applyLag: status.raftAppliedIndex > 0 ? Math.max(0, status.raftIndex - status.raftAppliedIndex) : null,
  };
}

/** "defragmenting would reclaim 12.3 MB": decimal megabytes, as etcd's own logs and etcdctl's table print sizes. */
export function describeReclaim(reclaimableBytes: number | null): string {
  if (reclaimableBytes === null) return "this etcd does not report the size in use (etcd 3.4 or later does)";
  if (reclaimableBytes === 0) return "defragmenting would reclaim nothing";
  return `defragmenting would reclaim ${(reclaimableBytes / 1e6).toFixed(1)} MB`;
}
