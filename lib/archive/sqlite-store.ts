import "server-only";
import { LatestPuts } from "./latest-puts";
import type { RevisionTime, TimeEstimate, WriteBucketQuery, WriteBucketRow } from "./store";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  ArchiveClusterMismatchError,
  RecorderLockLostError,
  type ArchiveCoverage,
  type ArchivedEvent,
  type ArchivedRevision,
  type ArchivedVersion,
  type ArchiveGap,
  type ArchiveStore,
  type ArchivedLevel,
  type FolderIndexSnapshot,
  type HistoryQuery,
  type LevelQuery,
  type RevisionQuery,
  type VersionRead,
} from "./store";
import { listLevelBySkipScan } from "./level-scan";
import { decodeValue, encodeValue, ValueEncoding, type CodecBase } from "./value-codec";
import { archiveSizeOf, planKeyPrune, sizeBoundary, VERSION_ROW_BYTES } from "./retention";
import type { AuditQuery, AuditRow, PruneRequest, PruneResult, StoredAuditRow } from "./store";
import { AUDIT_INSERT_BATCH, auditInsert, auditSelect, readAuditRow, type AuditResultRow } from "./audit-sql";

// The embedded archive: one SQLite file in the data directory, zero setup. WAL mode lets the
// dashboard's readers run while the recorder writes, and with synchronous=NORMAL a committed
// transaction survives the process being killed (only an OS crash may lose the last ones, which
// the recorder then reads again from etcd). Several processes may open the file: every write
// runs under BEGIN IMMEDIATE, which takes SQLite's write lock before it reads, so the lock row
// and the rows it guards are checked and written by one process at a time.

/** The file the archive lives in, inside the data directory. */
export function archiveFilePath(dataDir: string): string {
  return join(dataDir, "archive.sqlite");
}

// Each entry migrates the schema from its index to the next; user_version says how far a file is.
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clusters (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    last_revision INTEGER NOT NULL DEFAULT 0,
    first_revision INTEGER,
    recording_since INTEGER
  );
  CREATE TABLE keys (
    id INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL,
    key BLOB NOT NULL,
    UNIQUE (cluster_id, key)
  );
  -- A rowid table, not WITHOUT ROWID on (key_id, revision): rows arrive in revision order, so
  -- they fill pages densely at the end, while a key-ordered tree split its pages on every
  -- interleaved write and kept them half empty (201 instead of 326 bytes per revision measured
  -- on status churn by npm run bench:archive); only the small index takes the scattered inserts.
  -- position: the event's place in its revision; NULL for a version known only from a baseline.
  -- base_revision: the version whose value is the dictionary this one was compressed against.
  CREATE TABLE versions (
    key_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    cluster_id INTEGER NOT NULL,
    position INTEGER,
    deleted INTEGER NOT NULL,
    create_revision INTEGER NOT NULL,
    version INTEGER NOT NULL,
    lease TEXT NOT NULL,
    encoding INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    base_revision INTEGER,
    value BLOB NOT NULL
  );
  CREATE UNIQUE INDEX versions_by_key ON versions (key_id, revision);
  CREATE INDEX versions_by_revision ON versions (cluster_id, revision);
  CREATE TABLE revisions (
    cluster_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    arrived_at INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, revision)
  ) WITHOUT ROWID;
  CREATE INDEX revisions_by_time ON revisions (cluster_id, arrived_at);
  CREATE TABLE baselines (
    cluster_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (cluster_id, revision)
  ) WITHOUT ROWID;
  CREATE TABLE gaps (
    cluster_id INTEGER NOT NULL,
    from_revision INTEGER NOT NULL,
    to_revision INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, from_revision)
  ) WITHOUT ROWID;
  CREATE TABLE recorder_locks (
    cluster_id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  // The folder index a dashboard saved, so that a restart catches up instead of a keys-only pass.
  `
  CREATE TABLE folder_indexes (
    cluster_id INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    data BLOB NOT NULL
  );
  `,
  // Estimated times of the revisions that did not arrive live (the baseline's, etcd's retained history).
  `
  CREATE TABLE revision_estimates (
    cluster_id INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    estimated_at INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, revision)
  ) WITHOUT ROWID;
  CREATE INDEX revision_estimates_by_time ON revision_estimates (cluster_id, estimated_at);
  `,
  // What a size retention counts (kept on every write, never scanned for), and where the
  // retention last cut the archive, shown like a compaction.
  `
  ALTER TABLE clusters ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE clusters ADD COLUMN pruned_before INTEGER;
  ALTER TABLE clusters ADD COLUMN pruned_at INTEGER;
  UPDATE clusters SET stored_bytes =
    (SELECT COALESCE(SUM(length(value)), 0) + COUNT(*) * ${VERSION_ROW_BYTES} FROM versions WHERE versions.cluster_id = clusters.id);
  `,
  // The etcd cluster each archive was recorded from (its cluster ID), so a name re-pointed at another is refused.
  `
  ALTER TABLE clusters ADD COLUMN etcd_cluster_id TEXT;
  `,
  // The audit trail (lib/audit): who revealed, exported, signed in or was refused what. id orders
  // the entries as stored; the two indexes serve the /audit page's filters by user and by action.
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    group_names TEXT NOT NULL,
    via TEXT NOT NULL,
    cluster TEXT,
    key BLOB,
    prefix BLOB,
    revision INTEGER,
    field TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    remote_address TEXT
  );
  CREATE INDEX audit_by_user ON audit (user_name, id);
  CREATE INDEX audit_by_action ON audit (action, id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

type VersionRow = {
  revision: number;
  position: number | null;
  deleted: number;
  create_revision: number;
  version: number;
  lease: string;
  encoding: ValueEncoding;
  depth: number;
  base_revision: number | null;
  value: Buffer;
  arrived_at: number | null;
};

type RevisionRow = VersionRow & { key_id: number; key: Buffer };

const BUSY_TIMEOUT_MS = 5_000;

/**
 * Versions one prune transaction removes at most. better-sqlite3 is synchronous, so a batch holds
 * the whole process (recording and every dashboard request) until it commits: about 0.4 ms a
 * version on Pod churn (each touched key's kept version is inflated through its chain and stored
 * alone), so 1,000 held the event loop 414-650 ms in npm run bench:prune and 100 hold it ~50 ms.
 */
const PRUNE_BATCH_VERSIONS = 100;
/** A key's versions from the cut on checked for a base below it (versions arrive in revision order: the first PUT after the cut is the one). */
const PRUNE_SCAN_AHEAD = 16;

type PruneRow = { revision: number; deleted: number; position: number | null; base_revision: number | null; bytes: number };

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`the archive file was written by a newer etcdlens (schema ${version}; this one reads up to ${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Another process may have migrated between the check above and this write lock.
    const now = db.pragma("user_version", { simple: true }) as number;
    for (let step = now; step < SCHEMA_VERSION; step += 1) db.exec(MIGRATIONS[step]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export function openSqliteStore(dataDir: string): SqliteArchiveStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(archiveFilePath(dataDir));
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrate(db);
  return new SqliteArchiveStore(db);
}

export class SqliteArchiveStore implements ArchiveStore {
  readonly engine = "sqlite";
  private readonly clusterIds = new Map<string, number>();
  private readonly latest = new LatestPuts<number>();
  private readonly statements;
  /** What the current write transaction adds to the cluster's stored_bytes. */
  private addedBytes = 0;

  constructor(private readonly db: Database.Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      clusterId: prepare("SELECT id FROM clusters WHERE name = ?"),
      insertCluster: prepare("INSERT INTO clusters (name) VALUES (?)"),
      cluster: prepare("SELECT last_revision, first_revision, recording_since FROM clusters WHERE id = ?"),
      keyId: prepare("SELECT id FROM keys WHERE cluster_id = ? AND key = ?"),
      insertKey: prepare("INSERT INTO keys (cluster_id, key) VALUES (?, ?)"),
      existing: prepare("SELECT position FROM versions WHERE key_id = ? AND revision = ?"),
      setPosition: prepare("UPDATE versions SET position = ? WHERE key_id = ? AND revision = ? AND position IS NULL"),
      insertVersion: prepare(
        `INSERT INTO versions (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
         VALUES (@keyId, @revision, @clusterId, @position, @deleted, @createRevision, @version, @lease, @encoding, @depth, @baseRevision, @value)`,
      ),
      putBelow: prepare(
        "SELECT revision, encoding, depth, base_revision, value FROM versions WHERE key_id = ? AND revision < ? AND deleted = 0 ORDER BY revision DESC LIMIT 1",
      ),
      valueOf: prepare("SELECT encoding, base_revision, value FROM versions WHERE key_id = ? AND revision = ?"),
      insertArrival: prepare("INSERT OR IGNORE INTO revisions (cluster_id, revision, arrived_at) VALUES (?, ?, ?)"),
      advance: prepare(
        `UPDATE clusters SET last_revision = MAX(last_revision, @last), first_revision = COALESCE(first_revision, @first),
         recording_since = COALESCE(recording_since, @now) WHERE id = @clusterId`,
      ),
      startRecording: prepare("UPDATE clusters SET recording_since = COALESCE(recording_since, ?) WHERE id = ?"),
      insertBaseline: prepare("INSERT OR IGNORE INTO baselines (cluster_id, revision) VALUES (?, ?)"),
      finishBaseline: prepare("UPDATE baselines SET finished_at = COALESCE(finished_at, ?) WHERE cluster_id = ? AND revision = ?"),
      baselines: prepare("SELECT revision FROM baselines WHERE cluster_id = ? AND finished_at IS NOT NULL ORDER BY revision"),
      insertGap: prepare(
        `INSERT INTO gaps (cluster_id, from_revision, to_revision, recorded_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (cluster_id, from_revision) DO UPDATE SET to_revision = MAX(to_revision, excluded.to_revision)`,
      ),
      gaps: prepare("SELECT from_revision, to_revision, recorded_at FROM gaps WHERE cluster_id = ? ORDER BY from_revision"),
      history: prepare(
        `SELECT v.*, r.arrived_at FROM versions v LEFT JOIN revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
         WHERE v.key_id = ? AND v.revision < ? ORDER BY v.revision DESC LIMIT ?`,
      ),
      versionAt: prepare(
        `SELECT v.*, r.arrived_at FROM versions v LEFT JOIN revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
         WHERE v.key_id = ? AND v.revision <= ? ORDER BY v.revision DESC LIMIT 1`,
      ),
      revisions: prepare(
        `SELECT v.*, k.key, r.arrived_at FROM versions v JOIN keys k ON k.id = v.key_id
         LEFT JOIN revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
         WHERE v.cluster_id = ? AND v.revision >= ? AND v.revision <= ? ORDER BY v.revision, v.position LIMIT ?`,
      ),
      revisionAtTime: prepare(
        "SELECT revision FROM revisions WHERE cluster_id = ? AND arrived_at <= ? ORDER BY arrived_at DESC, revision DESC LIMIT 1",
      ),
      insertEstimate: prepare("INSERT OR IGNORE INTO revision_estimates (cluster_id, revision, estimated_at) VALUES (?, ?, ?)"),
      arrivalOf: prepare("SELECT arrived_at FROM revisions WHERE cluster_id = ? AND revision = ?"),
      estimateAtOrBelow: prepare(
        "SELECT estimated_at FROM revision_estimates WHERE cluster_id = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
      ),
      latestEstimateAtTime: prepare(
        "SELECT revision FROM revision_estimates WHERE cluster_id = ? AND estimated_at <= ? ORDER BY estimated_at DESC, revision DESC LIMIT 1",
      ),
      nextLaterEstimate: prepare(
        "SELECT MIN(revision) AS revision FROM revision_estimates WHERE cluster_id = ? AND revision > ? AND estimated_at > ?",
      ),
      nextArrival: prepare("SELECT MIN(revision) AS revision FROM revisions WHERE cluster_id = ? AND revision > ?"),
      lock: prepare("SELECT holder, expires_at FROM recorder_locks WHERE cluster_id = ?"),
      setLock: prepare(
        "INSERT INTO recorder_locks (cluster_id, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (cluster_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
      ),
      releaseLock: prepare("DELETE FROM recorder_locks WHERE cluster_id = ? AND holder = ?"),
      // The keys from a position alive at a revision; SQLite walks the (cluster_id, key)
      // index from the position and reads each passed key's newest version ≤ revision by
      // versions_by_key. Two statements, since an "end IS NULL OR" would keep it from bounding the walk.
      liveKeys: prepare(
        `SELECT k.key FROM keys k WHERE k.cluster_id = @clusterId AND k.key >= @from AND k.key < @end
         AND (SELECT v.deleted FROM versions v WHERE v.key_id = k.id AND v.revision <= @revision ORDER BY v.revision DESC LIMIT 1) = 0
         ORDER BY k.key LIMIT @limit`,
      ),
      liveKeysToEnd: prepare(
        `SELECT k.key FROM keys k WHERE k.cluster_id = @clusterId AND k.key >= @from
         AND (SELECT v.deleted FROM versions v WHERE v.key_id = k.id AND v.revision <= @revision ORDER BY v.revision DESC LIMIT 1) = 0
         ORDER BY k.key LIMIT @limit`,
      ),
      saveFolderIndex: prepare(
        `INSERT INTO folder_indexes (cluster_id, revision, saved_at, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (cluster_id) DO UPDATE SET revision = excluded.revision, saved_at = excluded.saved_at, data = excluded.data
         WHERE excluded.revision >= folder_indexes.revision`,
      ),
      loadFolderIndex: prepare("SELECT revision, saved_at, data FROM folder_indexes WHERE cluster_id = ?"),
    };
  }

  async appendRevisions(cluster: string, holder: string, revisions: readonly ArchivedRevision[]): Promise<void> {
    if (revisions.length === 0) return;
    this.write(cluster, holder, (clusterId) => {
      let first = Infinity;
      let last = 0;
      for (const revision of revisions) {
        first = Math.min(first, revision.revision);
        last = Math.max(last, revision.revision);
        if (revision.arrivedAt !== null) this.statements.insertArrival.run(clusterId, revision.revision, revision.arrivedAt);
        revision.events.forEach((event, position) => this.storeEvent(clusterId, event, position));
      }
      this.statements.advance.run({ clusterId, last, first, now: Date.now() });
    });
  }

  async lastRecordedRevision(cluster: string): Promise<number> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return 0;
    const row = this.statements.cluster.get(clusterId) as { last_revision: number };
    return row.last_revision;
  }

  async appendBaseline(cluster: string, holder: string, revision: number, versions: readonly ArchivedEvent[]): Promise<void> {
    this.write(cluster, holder, (clusterId) => {
      this.statements.insertBaseline.run(clusterId, revision);
      this.statements.startRecording.run(Date.now(), clusterId);
      for (const version of versions) this.storeEvent(clusterId, version, null);
    });
  }

  async finishBaseline(cluster: string, holder: string, revision: number): Promise<void> {
    this.write(cluster, holder, (clusterId) => {
      this.statements.insertBaseline.run(clusterId, revision);
      this.statements.finishBaseline.run(Date.now(), clusterId, revision);
    });
  }

  async recordGap(cluster: string, holder: string, from: number, to: number): Promise<void> {
    if (to < from) throw new Error(`a gap from revision ${from} to ${to} is empty`);
    this.write(cluster, holder, (clusterId) => {
      this.statements.insertGap.run(clusterId, from, to, Date.now());
    });
  }

  async gaps(cluster: string): Promise<ArchiveGap[]> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return [];
    return this.listGaps(clusterId);
  }

  async bindEtcdCluster(cluster: string, holder: string, etcdClusterId: string): Promise<void> {
    this.write(cluster, holder, (clusterId) => {
      const row = this.db.prepare("SELECT etcd_cluster_id FROM clusters WHERE id = ?").get(clusterId) as { etcd_cluster_id: string | null };
      if (row.etcd_cluster_id === null)
        this.db.prepare("UPDATE clusters SET etcd_cluster_id = ? WHERE id = ?").run(etcdClusterId, clusterId);
      else if (row.etcd_cluster_id !== etcdClusterId) throw new ArchiveClusterMismatchError(cluster, row.etcd_cluster_id, etcdClusterId);
    });
  }

  async etcdClusterIdOf(cluster: string): Promise<string | null> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const row = this.db.prepare("SELECT etcd_cluster_id FROM clusters WHERE id = ?").get(clusterId) as { etcd_cluster_id: string | null };
    return row.etcd_cluster_id;
  }

  async coverage(cluster: string): Promise<ArchiveCoverage> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return { firstRevision: null, lastRevision: 0, recordingSince: null, baselines: [], gaps: [] };
    const row = this.statements.cluster.get(clusterId) as {
      last_revision: number;
      first_revision: number | null;
      recording_since: number | null;
    };
    const retained = this.prepared().retained.get(clusterId) as {
      stored_bytes: number;
      pruned_before: number | null;
      pruned_at: number | null;
    };
    const baselines = (this.statements.baselines.all(clusterId) as { revision: number }[]).map((baseline) => baseline.revision);
    return {
      firstRevision: row.first_revision,
      lastRevision: row.last_revision,
      recordingSince: row.recording_since,
      baselines,
      gaps: this.listGaps(clusterId),
      pruned: retained.pruned_before === null ? null : { before: retained.pruned_before, at: retained.pruned_at ?? 0 },
      storedBytes: retained.stored_bytes,
    };
  }

  async prune(cluster: string, holder: string, request: PruneRequest): Promise<PruneResult> {
    if (this.findCluster(cluster) === undefined) return { firstRevision: null, removedVersions: 0, done: true };
    let result: PruneResult = { firstRevision: null, removedVersions: 0, done: true };
    this.write(cluster, holder, (clusterId) => {
      result = this.pruneBatch(clusterId, request);
    });
    // The cache may name a version just removed (a key deleted below the boundary) as a base.
    if (result.removedVersions > 0) this.latest.clear();
    return result;
  }

  private pruneBatch(clusterId: number, request: PruneRequest): PruneResult {
    const statements = this.prepared();
    const cluster = statements.pruneCluster.get(clusterId) as {
      first_revision: number | null;
      last_revision: number;
      stored_bytes: number;
    };
    const first = cluster.first_revision;
    if (first === null) return { firstRevision: null, removedVersions: 0, done: true };
    const last = cluster.last_revision;
    // How far the retention asks to go, and how far one batch may: the revision of the batch's last version.
    let target = first;
    if (request.olderThanMs !== undefined) {
      const old = this.statements.revisionAtTime.get(clusterId, Date.now() - request.olderThanMs) as { revision: number } | undefined;
      if (old) target = Math.max(target, old.revision);
    }
    const batch = Math.max(1, request.batchVersions ?? PRUNE_BATCH_VERSIONS);
    const oldest = statements.pruneStep.all(clusterId, first, batch) as { revision: number; bytes: number }[];
    if (request.maxBytes !== undefined && cluster.stored_bytes > request.maxBytes) {
      target = Math.max(target, sizeBoundary(oldest, cluster.stored_bytes - request.maxBytes) ?? last);
    }
    target = Math.min(target, last);
    const boundary = Math.min(target, oldest.length === batch ? oldest[batch - 1].revision : last);
    if (boundary <= first) return { firstRevision: first, removedVersions: 0, done: true };

    const baselinesAbove = (statements.baselinesFrom.all(clusterId, boundary) as { revision: number }[]).map((row) => row.revision);
    const keyIds = (statements.touchedKeys.all(clusterId, first, boundary) as { key_id: number }[]).map((row) => row.key_id);
    let removed = 0;
    const bytesBefore = this.addedBytes;
    for (const keyId of keyIds) removed += this.pruneKey(keyId, boundary, baselinesAbove);
    statements.pruneArrivals.run(clusterId, boundary);
    statements.pruneEstimates.run({ clusterId, boundary });
    statements.pruneBaselines.run(clusterId, boundary);
    // The cut holds every key's value at it, as a baseline does: views that judge a key absent at a
    // revision by the baseline before it find this one.
    statements.baselineAtCut.run(clusterId, boundary, Date.now());
    statements.pruneGaps.run(clusterId, boundary);
    statements.trimGaps.run(boundary, clusterId, boundary, boundary);
    statements.setPruned.run({ boundary, now: Date.now(), clusterId });
    const storedBytes = cluster.stored_bytes + (this.addedBytes - bytesBefore);
    const overSize = request.maxBytes !== undefined && storedBytes > request.maxBytes;
    return { firstRevision: boundary, removedVersions: removed, done: boundary >= last || (boundary >= target && !overSize) };
  }

  /** Prunes one key below `boundary` (see ArchiveStore.prune); the number of versions removed. */
  private pruneKey(keyId: number, boundary: number, baselinesAbove: readonly number[]): number {
    const statements = this.prepared();
    // Sizes only: a value is read when it must be stored again, never for a version that goes.
    const rows = statements.keyAround.all({ keyId, boundary, ahead: PRUNE_SCAN_AHEAD }) as PruneRow[];
    const below = rows.filter((row) => row.revision <= boundary);
    const plan = planKeyPrune(
      below.map((row) => ({ revision: row.revision, deleted: row.deleted === 1 })),
      boundary,
    );
    const doomed = below.filter((row) => row.revision < plan.deleteBelow);
    if (doomed.length === 0) return 0;
    // The versions left whose chain base is about to go: the kept one, the key's first PUT from the
    // cut on (versions arrive in revision order and compress against a PUT below them, so only the
    // first can reach past the cut; a few more are checked), and the versions baselines stored
    // ahead of the history replayed after them.
    const candidates = new Map<number, PruneRow>(rows.filter((row) => row.revision >= plan.deleteBelow).map((row) => [row.revision, row]));
    for (const revision of baselinesAbove) {
      const row = statements.keyAt.get(keyId, revision) as PruneRow | undefined;
      if (row) candidates.set(row.revision, row);
    }
    const memo = new Map<number, Buffer>();
    const rewrites: { revision: number; value: Buffer; oldBytes: number }[] = [];
    for (const row of candidates.values()) {
      if (row.deleted === 1 || row.base_revision === null || row.base_revision >= plan.deleteBelow) continue;
      const stored = this.statements.valueOf.get(keyId, row.revision) as { encoding: ValueEncoding; base_revision: number; value: Buffer };
      rewrites.push({
        revision: row.revision,
        value: this.decodeStored(keyId, stored.encoding, stored.value, stored.base_revision, memo),
        oldBytes: row.bytes,
      });
    }
    statements.deleteBelow.run(keyId, plan.deleteBelow);
    for (const row of doomed) this.addedBytes -= archiveSizeOf(row.bytes);
    for (const rewrite of rewrites) {
      const encoded = encodeValue(rewrite.value);
      statements.rewrite.run(encoded.encoding, encoded.bytes, keyId, rewrite.revision);
      this.addedBytes += encoded.bytes.length - rewrite.oldBytes;
    }
    // Below the boundary the kept version stands alone, as a baseline's would: its revision's other events are gone.
    const kept = plan.keep === null ? undefined : below.find((row) => row.revision === plan.keep);
    if (kept && kept.position !== null) statements.forgetPosition.run(keyId, kept.revision);
    if (doomed.length === rows.length) statements.deleteKey.run(keyId);
    return doomed.length;
  }

  private pruneStatementCache: ReturnType<SqliteArchiveStore["prepareRetention"]> | undefined;

  private prepared() {
    this.pruneStatementCache ??= this.prepareRetention();
    return this.pruneStatementCache;
  }

  private prepareRetention() {
    const prepare = (sql: string) => this.db.prepare(sql);
    return {
      retained: prepare("SELECT stored_bytes, pruned_before, pruned_at FROM clusters WHERE id = ?"),
      addBytes: prepare("UPDATE clusters SET stored_bytes = stored_bytes + ? WHERE id = ?"),
      pruneCluster: prepare("SELECT first_revision, last_revision, stored_bytes FROM clusters WHERE id = ?"),
      pruneStep: prepare(
        "SELECT revision, length(value) AS bytes FROM versions WHERE cluster_id = ? AND revision > ? ORDER BY revision LIMIT ?",
      ),
      baselinesFrom: prepare("SELECT revision FROM baselines WHERE cluster_id = ? AND revision >= ?"),
      touchedKeys: prepare("SELECT DISTINCT key_id FROM versions WHERE cluster_id = ? AND revision >= ? AND revision <= ?"),
      // A key's versions up to the boundary and the first few after it.
      keyAround: prepare(
        `SELECT * FROM (SELECT revision, deleted, position, base_revision, length(value) AS bytes FROM versions
           WHERE key_id = @keyId AND revision <= @boundary)
         UNION ALL
         SELECT * FROM (SELECT revision, deleted, position, base_revision, length(value) AS bytes FROM versions
           WHERE key_id = @keyId AND revision > @boundary ORDER BY revision LIMIT @ahead)
         ORDER BY revision`,
      ),
      keyAt: prepare(
        "SELECT revision, deleted, position, base_revision, length(value) AS bytes FROM versions WHERE key_id = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
      ),
      deleteBelow: prepare("DELETE FROM versions WHERE key_id = ? AND revision < ?"),
      rewrite: prepare("UPDATE versions SET encoding = ?, value = ?, depth = 0, base_revision = NULL WHERE key_id = ? AND revision = ?"),
      forgetPosition: prepare("UPDATE versions SET position = NULL WHERE key_id = ? AND revision = ?"),
      deleteKey: prepare("DELETE FROM keys WHERE id = ?"),
      pruneArrivals: prepare("DELETE FROM revisions WHERE cluster_id = ? AND revision < ?"),
      // The newest estimate at or below the boundary stays: it dates the boundary and what follows it until the next.
      pruneEstimates: prepare(
        `DELETE FROM revision_estimates WHERE cluster_id = @clusterId AND revision <
         (SELECT MAX(revision) FROM revision_estimates WHERE cluster_id = @clusterId AND revision <= @boundary)`,
      ),
      pruneBaselines: prepare("DELETE FROM baselines WHERE cluster_id = ? AND revision < ?"),
      baselineAtCut: prepare(
        `INSERT INTO baselines (cluster_id, revision, finished_at) VALUES (?, ?, ?)
         ON CONFLICT (cluster_id, revision) DO UPDATE SET finished_at = COALESCE(finished_at, excluded.finished_at)`,
      ),
      pruneGaps: prepare("DELETE FROM gaps WHERE cluster_id = ? AND to_revision < ?"),
      trimGaps: prepare("UPDATE gaps SET from_revision = ? WHERE cluster_id = ? AND from_revision < ? AND to_revision >= ?"),
      setPruned: prepare(
        "UPDATE clusters SET first_revision = @boundary, pruned_before = @boundary, pruned_at = @now WHERE id = @clusterId",
      ),
    };
  }

  async historyOf(cluster: string, key: Buffer, query: HistoryQuery): Promise<ArchivedVersion[]> {
    const keyId = this.findKey(cluster, key);
    if (keyId === undefined || query.limit <= 0) return [];
    const rows = this.statements.history.all(keyId, query.before ?? Number.MAX_SAFE_INTEGER, query.limit) as VersionRow[];
    // Oldest first, so that each version's base (usually the one just before it) is decoded already.
    const decoded = new Map<number, Buffer>();
    const versions = rows
      .slice()
      .reverse()
      .map((row) => this.toVersion(keyId, key, row, decoded));
    return versions.reverse();
  }

  async versionAt(cluster: string, key: Buffer, revision: number): Promise<ArchivedVersion | null> {
    const keyId = this.findKey(cluster, key);
    if (keyId === undefined) return null;
    const row = this.statements.versionAt.get(keyId, revision) as VersionRow | undefined;
    return row ? this.toVersion(keyId, key, row, new Map()) : null;
  }

  async versionsAt(cluster: string, reads: readonly VersionRead[]): Promise<(ArchivedVersion | null)[]> {
    // In-process, each read is two index seeks on prepared statements; what batching saves here is
    // the per-read promise and the decoding of a base shared by several reads of one key.
    const memos = new Map<number, Map<number, Buffer>>();
    return reads.map(({ key, revision }) => {
      const keyId = this.findKey(cluster, key);
      if (keyId === undefined) return null;
      const row = this.statements.versionAt.get(keyId, revision) as VersionRow | undefined;
      if (!row) return null;
      let memo = memos.get(keyId);
      if (!memo) memos.set(keyId, (memo = new Map()));
      return this.toVersion(keyId, key, row, memo);
    });
  }

  async readRevisions(cluster: string, query: RevisionQuery): Promise<ArchivedRevision[]> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined || query.limit <= 0) return [];
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    let rows = this.statements.revisions.all(clusterId, query.from, to, query.limit) as RevisionRow[];
    if (rows.length === query.limit) {
      // The limit may have cut the last revision; read it whole.
      const lastRevision = rows[rows.length - 1].revision;
      const whole = this.statements.revisions.all(clusterId, lastRevision, lastRevision, Number.MAX_SAFE_INTEGER) as RevisionRow[];
      rows = rows.filter((row) => row.revision !== lastRevision).concat(whole);
    }
    const decoded = new Map<number, Map<number, Buffer>>();
    const revisions: ArchivedRevision[] = [];
    for (const row of rows) {
      let memo = decoded.get(row.key_id);
      if (!memo) decoded.set(row.key_id, (memo = new Map()));
      const version = this.toVersion(row.key_id, row.key, row, memo);
      const event: ArchivedEvent = {
        type: version.type,
        key: version.key,
        revision: version.revision,
        createRevision: version.createRevision,
        version: version.version,
        lease: version.lease,
        value: version.value,
      };
      const last = revisions[revisions.length - 1];
      if (last?.revision === row.revision) last.events.push(event);
      else revisions.push({ revision: row.revision, arrivedAt: version.arrivedAt, events: [event] });
    }
    return revisions;
  }

  async listLevelAt(cluster: string, query: LevelQuery): Promise<ArchivedLevel> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined || query.limit <= 0) return { items: [], nextCursor: null };
    const { revision } = query;
    return listLevelBySkipScan((from, end, limit) => {
      const rows = (
        end
          ? this.statements.liveKeys.all({ clusterId, from, end, revision, limit })
          : this.statements.liveKeysToEnd.all({ clusterId, from, revision, limit })
      ) as { key: Buffer }[];
      return Promise.resolve(rows.map((row) => row.key));
    }, query);
  }

  async saveFolderIndex(cluster: string, snapshot: FolderIndexSnapshot): Promise<void> {
    this.db
      .transaction(() => {
        this.statements.saveFolderIndex.run(this.ensureCluster(cluster), snapshot.revision, snapshot.savedAt, snapshot.data);
      })
      .immediate();
  }

  async loadFolderIndex(cluster: string): Promise<FolderIndexSnapshot | null> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const row = this.statements.loadFolderIndex.get(clusterId) as { revision: number; saved_at: number; data: Buffer } | undefined;
    return row ? { revision: row.revision, savedAt: row.saved_at, data: row.data } : null;
  }

  async revisionAtTime(cluster: string, timeMs: number): Promise<number | null> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const row = this.statements.revisionAtTime.get(clusterId, timeMs) as { revision: number } | undefined;
    return row?.revision ?? null;
  }

  async appendTimeEstimates(cluster: string, holder: string, estimates: readonly TimeEstimate[]): Promise<void> {
    if (estimates.length === 0) return;
    this.write(cluster, holder, (clusterId) => {
      for (const estimate of estimates) this.statements.insertEstimate.run(clusterId, estimate.revision, estimate.time);
    });
  }

  async timesOf(cluster: string, revisions: readonly number[]): Promise<Map<number, RevisionTime>> {
    const times = new Map<number, RevisionTime>();
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return times;
    for (const revision of revisions) {
      const arrival = this.statements.arrivalOf.get(clusterId, revision) as { arrived_at: number } | undefined;
      if (arrival) {
        times.set(revision, { time: arrival.arrived_at, estimated: false });
        continue;
      }
      const estimate = this.statements.estimateAtOrBelow.get(clusterId, revision) as { estimated_at: number } | undefined;
      if (estimate) times.set(revision, { time: estimate.estimated_at, estimated: true });
    }
    return times;
  }

  async revisionAtEstimatedTime(cluster: string, timeMs: number): Promise<number | null> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const latest = this.statements.latestEstimateAtTime.get(clusterId, timeMs) as { revision: number } | undefined;
    if (!latest) return null;
    const later = this.statements.nextLaterEstimate.get(clusterId, latest.revision, timeMs) as { revision: number | null };
    const arrival = this.statements.nextArrival.get(clusterId, latest.revision) as { revision: number | null };
    const bounds = [later.revision, arrival.revision].filter((revision): revision is number => revision !== null);
    if (bounds.length > 0) return Math.min(...bounds) - 1;
    const row = this.statements.cluster.get(clusterId) as { last_revision: number };
    return Math.max(row.last_revision, latest.revision);
  }

  async tryLockRecorder(cluster: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const clusterId = this.ensureCluster(cluster);
        const lock = this.statements.lock.get(clusterId) as { holder: string; expires_at: number } | undefined;
        const now = Date.now();
        if (lock && lock.holder !== holder && lock.expires_at > now) return false;
        // Another recorder may have written since this process last did: what it remembers of
        // the newest versions may be stale.
        if (lock?.holder !== holder) this.latest.clear();
        this.statements.setLock.run(clusterId, holder, now + ttlMs);
        return true;
      })
      .immediate();
  }

  async renewRecorderLock(cluster: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const clusterId = this.ensureCluster(cluster);
        const lock = this.statements.lock.get(clusterId) as { holder: string } | undefined;
        if (lock?.holder !== holder) return false;
        this.statements.setLock.run(clusterId, holder, Date.now() + ttlMs);
        return true;
      })
      .immediate();
  }

  // One statement per prefix length (the folder is cut at a fixed offset); the plan walks
  // revisions_by_time for the range, then each revision's versions by versions_by_revision.
  async writesPerBucket(cluster: string, query: WriteBucketQuery): Promise<WriteBucketRow[]> {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return [];
    const from = query.prefix.length + 1;
    // Inlined: better-sqlite3 binds a number as a REAL, and the division must be an integer one.
    const bucket = Math.max(1, Math.trunc(query.bucketMs));
    const rest = `substr(k.key, ${from})`;
    const underPrefix = query.prefix.length === 0 ? "" : `AND substr(k.key, 1, ${query.prefix.length}) = @prefix`;
    const rows = this.db
      .prepare(
        `SELECT (r.arrived_at / ${bucket}) * ${bucket} AS bucket_start,
           CASE WHEN instr(${rest}, X'2F') > 0 THEN substr(k.key, ${from}, instr(${rest}, X'2F')) ELSE ${rest} END AS folder,
           COUNT(*) AS writes, SUM(CASE WHEN v.deleted = 0 THEN length(v.value) ELSE 0 END) AS bytes
         FROM revisions r
         JOIN versions v ON v.cluster_id = r.cluster_id AND v.revision = r.revision
         JOIN keys k ON k.id = v.key_id
         WHERE r.cluster_id = @clusterId AND r.arrived_at >= @fromMs AND r.arrived_at < @toMs ${underPrefix}
         GROUP BY bucket_start, folder
         LIMIT @maxRows`,
      )
      .all({
        clusterId,
        fromMs: query.fromMs,
        toMs: query.toMs,
        maxRows: query.maxRows,
        ...(query.prefix.length === 0 ? {} : { prefix: query.prefix }),
      }) as { bucket_start: number; folder: Buffer | string; writes: number; bytes: number }[];
    return rows.map((row) => ({
      bucketStart: row.bucket_start,
      folder: Buffer.from(row.folder),
      writes: row.writes,
      bytes: row.bytes ?? 0,
    }));
  }

  async releaseRecorderLock(cluster: string, holder: string): Promise<void> {
    const clusterId = this.findCluster(cluster);
    if (clusterId !== undefined) this.statements.releaseLock.run(clusterId, holder);
  }

  async appendAudit(rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    this.db
      .transaction(() => {
        for (let start = 0; start < rows.length; start += AUDIT_INSERT_BATCH) {
          const { sql, params } = auditInsert("audit", () => "?", rows.slice(start, start + AUDIT_INSERT_BATCH));
          this.db.prepare(sql).run(...params);
        }
      })
      .immediate();
  }

  async listAudit(query: AuditQuery): Promise<StoredAuditRow[]> {
    const { sql, params } = auditSelect("audit", () => "?", query);
    return (this.db.prepare(sql).all(...params) as AuditResultRow[]).map(readAuditRow);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Runs `body` in one write transaction, only while `holder` holds the cluster's lock. */
  private write(cluster: string, holder: string, body: (clusterId: number) => void): void {
    try {
      this.db
        .transaction(() => {
          const clusterId = this.ensureCluster(cluster);
          // A lock that expired is still this holder's until another recorder takes it.
          const lock = this.statements.lock.get(clusterId) as { holder: string } | undefined;
          if (lock?.holder !== holder) throw new RecorderLockLostError(cluster, holder);
          this.addedBytes = 0;
          body(clusterId);
          if (this.addedBytes !== 0) this.prepared().addBytes.run(this.addedBytes, clusterId);
        })
        .immediate();
    } catch (error) {
      // What was remembered during the rolled-back transaction (new versions, a new cluster's id) was never stored.
      this.latest.clear();
      this.clusterIds.clear();
      throw error;
    }
  }

  private storeEvent(clusterId: number, event: ArchivedEvent, position: number | null): void {
    const keyId = this.ensureKey(clusterId, event.key);
    const existing = this.statements.existing.get(keyId, event.revision) as { position: number | null } | undefined;
    if (existing) {
      // Known from a baseline and now seen as an event: it gains its place in its revision.
      if (position !== null && existing.position === null) this.statements.setPosition.run(position, keyId, event.revision);
      return;
    }
    const deleted = event.type === "DELETE";
    const base = deleted ? undefined : this.baseFor(keyId, event.revision);
    const encoded = deleted ? { encoding: ValueEncoding.Raw, bytes: Buffer.alloc(0), depth: 0 } : encodeValue(event.value, base);
    this.statements.insertVersion.run({
      keyId,
      revision: event.revision,
      clusterId,
      position,
      deleted: deleted ? 1 : 0,
      createRevision: deleted ? 0 : event.createRevision,
      version: deleted ? 0 : event.version,
      lease: deleted ? "0" : event.lease,
      encoding: encoded.encoding,
      depth: encoded.depth,
      baseRevision: encoded.encoding === ValueEncoding.DeflateWithBase ? base!.revision : null,
      value: encoded.bytes,
    });
    this.addedBytes += archiveSizeOf(encoded.bytes.length);
    if (deleted) return;
    // Held as a base for the key's next version, also when a baseline holds a later one (a replay of etcd's history).
    this.latest.remember(keyId, { revision: event.revision, value: event.value, depth: encoded.depth });
  }

  /** A stored PUT of the key below `revision` (a recent one held in memory, else the newest below it), decoded, to compress against. */
  private baseFor(keyId: number, revision: number): (CodecBase & { revision: number }) | undefined {
    const cached = this.latest.below(keyId, revision);
    if (cached) return cached;
    const row = this.statements.putBelow.get(keyId, revision) as
      { revision: number; encoding: ValueEncoding; depth: number; base_revision: number | null; value: Buffer } | undefined;
    if (!row) return undefined;
    const value = this.decodeStored(keyId, row.encoding, row.value, row.base_revision, new Map());
    const base = { revision: row.revision, value, depth: row.depth };
    this.latest.remember(keyId, base);
    return base;
  }

  /** A stored value back, through its chain of bases (memo: revision → value already decoded for this key). */
  private decodeStored(
    keyId: number,
    encoding: ValueEncoding,
    bytes: Buffer,
    baseRevision: number | null,
    memo: Map<number, Buffer>,
  ): Buffer {
    if (encoding !== ValueEncoding.DeflateWithBase || baseRevision === null) return decodeValue(encoding, bytes);
    let base = memo.get(baseRevision);
    base ??= this.latest.at(keyId, baseRevision)?.value;
    if (!base) {
      const row = this.statements.valueOf.get(keyId, baseRevision) as
        { encoding: ValueEncoding; base_revision: number | null; value: Buffer } | undefined;
      if (!row) throw new Error(`archived version ${baseRevision} of a key, needed to read a later one, is missing`);
      base = this.decodeStored(keyId, row.encoding, row.value, row.base_revision, memo);
      memo.set(baseRevision, base);
    }
    return decodeValue(encoding, bytes, base);
  }

  private toVersion(keyId: number, key: Buffer, row: VersionRow, memo: Map<number, Buffer>): ArchivedVersion {
    const deleted = row.deleted === 1;
    const value = deleted ? Buffer.alloc(0) : this.decodeStored(keyId, row.encoding, row.value, row.base_revision, memo);
    memo.set(row.revision, value);
    return {
      type: deleted ? "DELETE" : "PUT",
      key: Buffer.from(key),
      revision: row.revision,
      createRevision: row.create_revision,
      version: row.version,
      lease: row.lease,
      value,
      arrivedAt: row.arrived_at ?? null,
      fromBaseline: row.position === null,
    };
  }

  private listGaps(clusterId: number): ArchiveGap[] {
    const rows = this.statements.gaps.all(clusterId) as { from_revision: number; to_revision: number; recorded_at: number }[];
    return rows.map((row) => ({ from: row.from_revision, to: row.to_revision, recordedAt: row.recorded_at }));
  }

  private findCluster(name: string): number | undefined {
    const known = this.clusterIds.get(name);
    if (known !== undefined) return known;
    const row = this.statements.clusterId.get(name) as { id: number } | undefined;
    if (row) this.clusterIds.set(name, row.id);
    return row?.id;
  }

  private ensureCluster(name: string): number {
    const found = this.findCluster(name);
    if (found !== undefined) return found;
    const id = Number(this.statements.insertCluster.run(name).lastInsertRowid);
    this.clusterIds.set(name, id);
    return id;
  }

  private findKey(cluster: string, key: Buffer): number | undefined {
    const clusterId = this.findCluster(cluster);
    if (clusterId === undefined) return undefined;
    const row = this.statements.keyId.get(clusterId, key) as { id: number } | undefined;
    return row?.id;
  }

  private ensureKey(clusterId: number, key: Buffer): number {
    const row = this.statements.keyId.get(clusterId, key) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.statements.insertKey.run(clusterId, key).lastInsertRowid);
  }
}
