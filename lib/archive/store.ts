// The archive's storage contract, the same for every engine (SQLite embedded, PostgreSQL for
// scale-out). It keeps what etcd throws away at compaction: every version of every key, as rows
// keyed (cluster, key bytes, revision), where revision is the mod revision of a PUT or the revision
// of a DELETE. etcd refuses a transaction that touches one key twice, so that triple is unique.
//
// Every method is async so that an engine reached over the network can implement it. Values are
// passed in and out raw; each engine stores them compressed with value-codec.ts.
//
// Writes name the recorder that holds the cluster's lock (`holder`) and fail with
// RecorderLockLostError when it does not hold it: a recorder that lost its lock (paused past its
// TTL, say) cannot write over the one that took over. Writes are idempotent: a row that exists is
// left as it is, so a replay after a crash never stores anything twice.

/** One event of one key, as etcd's watch delivers it and the archive keeps it. */
export type ArchivedEvent = {
  type: "PUT" | "DELETE";
  key: Buffer;
  /** The mod revision of a PUT; the revision of a DELETE. */
  revision: number;
  /** 0 for a DELETE. */
  createRevision: number;
  /** 0 for a DELETE. */
  version: number;
  /** Lease ID as a decimal string (int64 must not pass through a float); "0" without a lease. */
  lease: string;
  /** Empty for a DELETE. */
  value: Buffer;
};

/** All events of one etcd revision, in etcd's order (a transaction's together). */
export type ArchivedRevision = {
  revision: number;
  /** Wall-clock ms the recorder received it live; null for history etcd still held when it started. */
  arrivedAt: number | null;
  events: ArchivedEvent[];
};

/** A version read back from the archive. */
export type ArchivedVersion = ArchivedEvent & {
  /** When its revision arrived live (ms), null when unknown (a baseline or etcd's retained history). */
  arrivedAt: number | null;
  /** Known only from a baseline: the other events of its revision may be missing. */
  fromBaseline: boolean;
};

/** A revision's time estimated from the clocks Kubernetes writes into its values (clock-hints.ts). */
export type TimeEstimate = { revision: number; time: number };

/** When a revision happened (ms): exact when it arrived live, estimated from a TimeEstimate at or below it otherwise. */
export type RevisionTime = { time: number; estimated: boolean };

/** Revisions from..to (inclusive) that were never recorded: etcd compacted them while no recorder ran. */
export type ArchiveGap = { from: number; to: number; recordedAt: number };

export type ArchiveCoverage = {
  /** Every revision from this one on is held whole, except inside gaps; null before anything is recorded. */
  firstRevision: number | null;
  /** The last revision stored whole (0 before anything is recorded). */
  lastRevision: number;
  /** Wall-clock ms the archive first recorded this cluster; null when never. */
  recordingSince: number | null;
  /** Revisions at which the value of every key was stored (first start, and after each gap). */
  baselines: number[];
  gaps: ArchiveGap[];
  /**
   * Set once the retention (ETCDLENS_ARCHIVE_RETENTION) pruned the archive: the revisions below
   * `before` (= firstRevision) were removed like a compaction; the value of every key at `before`
   * is still held. Undefined or null when nothing was ever pruned.
   */
  pruned?: { before: number; at: number } | null;
  /** What a size retention counts (stored value bytes plus a per-version row estimate, retention.ts). */
  storedBytes?: number;
};

/** What one prune call may remove; the oldest revisions leave first. */
export type PruneRequest = {
  /** Removes the revisions that arrived longer ago than this (ms). */
  olderThanMs?: number;
  /** Removes the oldest revisions while the cluster's storedBytes is above this. */
  maxBytes?: number;
  /** At most about this many versions are removed by one call (one transaction); default 5,000. */
  batchVersions?: number;
};

export type PruneResult = {
  /** The archive's first revision after this call (null when it holds nothing). */
  firstRevision: number | null;
  /** Versions removed by this call. */
  removedVersions: number;
  /** False when the retention asks for more than this batch removed: call again. */
  done: boolean;
};

/** One read of versionsAt: the key's newest version at or below `revision`. */
export type VersionRead = { key: Buffer; revision: number };

export type HistoryQuery = {
  /** Only versions below this revision (the next page of a history); all when omitted. */
  before?: number;
  limit: number;
};

export type RevisionQuery = {
  /** The first revision (inclusive). */
  from: number;
  /** The last revision (inclusive); no bound when omitted. */
  to?: number;
  /** At most this many events; the last revision returned is always whole. */
  limit: number;
};

/** One level of the key tree at a revision (see level-scan.ts). */
export type LevelQuery = {
  /** The level: empty (the root) or ending in "/". */
  prefix: Buffer;
  revision: number;
  /** Where the previous page stopped (an opaque key position). */
  cursor?: Buffer;
  limit: number;
};

/** A child of a level: a key alive at the revision, or a folder with at least one such key below it. */
export type ArchivedLevelEntry = { name: Buffer; key: Buffer; isKey: boolean; hasChildren: boolean };

export type ArchivedLevel = { items: ArchivedLevelEntry[]; nextCursor: Buffer | null };

/** The folder index of a cluster as a dashboard saved it: exact at `revision`. */
export type FolderIndexSnapshot = { revision: number; savedAt: number; data: Buffer };

/**
 * One audit trail entry as the archive keeps it (lib/audit writes them): who did what to which
 * key, when (ms), and how it ended. Keys and prefixes are kept as bytes.
 */
export type AuditRow = {
  time: number;
  user: string;
  groups: string[];
  via: string;
  cluster: string | null;
  key: Buffer | null;
  prefix: Buffer | null;
  revision: number | null;
  /** The field of a Secret revealed (["data", "password"]), when one was. */
  field: string[] | null;
  action: string;
  outcome: string;
  reason: string | null;
  remoteAddress: string | null;
};

/** An audit entry read back, with its place in the archive (ascending in the order entries were stored). */
export type StoredAuditRow = AuditRow & { id: number };

/** A page of the audit trail, newest first; the filters are exact matches. */
export type AuditQuery = {
  /** Only entries stored before this one (its id): the next page. */
  before?: number;
  limit: number;
  user?: string;
  action?: string;
  outcome?: string;
};

/**
 * The configured cluster name now points at another etcd cluster than the one its archive was
 * recorded from (an operator re-pointed the name): its history must not be mixed with, or shown
 * as, the other cluster's.
 */
export class ArchiveClusterMismatchError extends Error {
  constructor(
    readonly cluster: string,
    readonly recordedClusterId: string,
    readonly etcdClusterId: string,
  ) {
    super(
      `the archive of cluster "${cluster}" was recorded from etcd cluster ${recordedClusterId}, but "${cluster}" now points at etcd cluster ${etcdClusterId}: ` +
        `the archive is neither recorded nor read for it (point the name back, or give this etcd cluster another name)`,
    );
    this.name = "ArchiveClusterMismatchError";
  }
}

export class RecorderLockLostError extends Error {
  constructor(cluster: string, holder: string) {
    super(`recorder ${holder} no longer holds the archive lock of cluster "${cluster}"`);
    this.name = "RecorderLockLostError";
  }
}

/**
 * Writes per time bucket and folder (Insights' growth charts): events of revisions that arrived
 * live in [fromMs, toMs), under `prefix`, grouped by the bucket their arrival falls in and by the
 * name under `prefix` up to and including its next "/" (the key's rest when it has none).
 */
export type WriteBucketQuery = { prefix: Buffer; fromMs: number; toMs: number; bucketMs: number; maxRows: number };

/** bytes: the values as the archive stores them (compressed, deltas against a base), deletes counting 0. */
export type WriteBucketRow = { bucketStart: number; folder: Buffer; writes: number; bytes: number };

export interface ArchiveStore {
  /** Which engine this is ("sqlite", "postgres"), for coverage notes and logs. */
  readonly engine: string;

  /**
   * Stores whole revisions and raises the cluster's last recorded revision to the highest of them,
   * in one transaction: after a crash either all of a batch is there or none of it.
   */
  appendRevisions(cluster: string, holder: string, revisions: readonly ArchivedRevision[]): Promise<void>;

  /** The last revision stored whole (0 before anything is): a restarted recorder resumes after it. */
  lastRecordedRevision(cluster: string): Promise<number>;

  /**
   * Stores one page of a baseline: the value of every key at `revision`, each as the version it is
   * (keyed by its own mod revision). Versions already stored are left as they are.
   */
  appendBaseline(cluster: string, holder: string, revision: number, versions: readonly ArchivedEvent[]): Promise<void>;

  /** Marks the baseline at `revision` complete (every page stored). */
  finishBaseline(cluster: string, holder: string, revision: number): Promise<void>;

  /**
   * Records revisions from..to as never recorded. A gap that starts where a recorded one starts
   * extends it (a recorder that died before its fresh baseline meets a later compaction on restart).
   */
  recordGap(cluster: string, holder: string, from: number, to: number): Promise<void>;

  /**
   * Ties the archive of `cluster` to the etcd cluster it records (etcd's cluster ID, the
   * response header's cluster_id, as a decimal string): stored on the first call, and on later
   * ones compared, throwing ArchiveClusterMismatchError when it differs.
   */
  bindEtcdCluster(cluster: string, holder: string, etcdClusterId: string): Promise<void>;

  /** The etcd cluster ID the archive of `cluster` was recorded from; null before it is bound. */
  etcdClusterIdOf(cluster: string): Promise<string | null>;

  /** Gaps in ascending order. */
  gaps(cluster: string): Promise<ArchiveGap[]>;

  coverage(cluster: string): Promise<ArchiveCoverage>;

  /** Versions of one key, newest first, across deletes and re-creates. */
  historyOf(cluster: string, key: Buffer, query: HistoryQuery): Promise<ArchivedVersion[]>;

  /** The key's newest version at or below `revision` (a DELETE when it was deleted then); null when none is held. */
  versionAt(cluster: string, key: Buffer, revision: number): Promise<ArchivedVersion | null>;

  /**
   * versionAt for many reads at once, in their order: a view reading one version per row (a
   * table's values, a feed's replaced versions) asks once, not once per row, which over a network
   * (PostgreSQL) is a round trip per key and per compressed base in its chain.
   */
  versionsAt(cluster: string, reads: readonly VersionRead[]): Promise<(ArchivedVersion | null)[]>;

  /**
   * One level of the keyspace at `revision`: the keys whose newest version at or below it is a PUT,
   * and the folders holding any, in key order, by skip-scan (level-scan.ts). Complete only where
   * levelReadableAt says so; the caller checks.
   */
  listLevelAt(cluster: string, query: LevelQuery): Promise<ArchivedLevel>;

  /**
   * Keeps a dashboard's folder index (data is opaque and compressed by its owner) unless a newer
   * one is saved already; any replica may save, no lock is needed: each holds the same keyspace.
   */
  saveFolderIndex(cluster: string, snapshot: FolderIndexSnapshot): Promise<void>;

  /** The folder index saved last, or null. */
  loadFolderIndex(cluster: string): Promise<FolderIndexSnapshot | null>;

  /** Events of revisions from..to in revision order, each revision's in etcd's order. */
  readRevisions(cluster: string, query: RevisionQuery): Promise<ArchivedRevision[]>;

  /** The last revision that arrived live at or before `timeMs`; null when none did. */
  revisionAtTime(cluster: string, timeMs: number): Promise<number | null>;

  /** Keeps time estimates of revisions that did not arrive live; a revision's first estimate stays. */
  appendTimeEstimates(cluster: string, holder: string, estimates: readonly TimeEstimate[]): Promise<void>;

  /**
   * When each revision happened: its arrival when it arrived live, else the nearest estimate at or
   * below it (marked estimated); revisions neither tells are absent from the map.
   */
  timesOf(cluster: string, revisions: readonly number[]): Promise<Map<number, RevisionTime>>;

  /**
   * By the estimates alone: the last revision before the clock passes `timeMs` (the revision
   * before the first estimate later than `timeMs` that follows the latest estimate at or before it,
   * bounded by the first live arrival and the last revision recorded); null when every estimate is later.
   */
  revisionAtEstimatedTime(cluster: string, timeMs: number): Promise<number | null>;

  /**
   * Takes the cluster's recorder lock for `ttlMs` when nobody holds it or its holder let it expire
   * (true), or keeps it when `holder` holds it already (true); false while another holds it.
   */
  tryLockRecorder(cluster: string, holder: string, ttlMs: number): Promise<boolean>;

  /** Extends the holder's lock; false when it no longer holds it (it must stop recording). */
  renewRecorderLock(cluster: string, holder: string, ttlMs: number): Promise<boolean>;

  /**
   * Removes the oldest revisions the retention no longer keeps, in one bounded transaction, like
   * a compaction at the new first revision B: every version below B goes except each key's
   * newest version at or below B (the key's value at B), a version whose chain base went is
   * stored on its own again, and arrival times, baselines and gaps below B go too. B is then a
   * baseline of its own (coverage.baselines), since the archive holds every key's value at B.
   */
  prune(cluster: string, holder: string, request: PruneRequest): Promise<PruneResult>;

  /**
   * Stores audit entries (lib/audit). No recorder lock: every replica writes what happened to it,
   * and an entry is stored as often as it is given.
   */
  appendAudit(rows: readonly AuditRow[]): Promise<void>;

  /** Audit entries newest first (by the order they were stored), filtered and paged. */
  listAudit(query: AuditQuery): Promise<StoredAuditRow[]>;

  /**
   * Writes and archived bytes per time bucket and folder, aggregated in SQL: the time range is
   * found by revisions_by_time and its versions by versions_by_revision. At most maxRows rows.
   */
  writesPerBucket(cluster: string, query: WriteBucketQuery): Promise<WriteBucketRow[]>;

  /** Gives the lock up so another recorder can take it at once. */
  releaseRecorderLock(cluster: string, holder: string): Promise<void>;

  close(): Promise<void>;
}
