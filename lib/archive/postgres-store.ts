import "server-only";
import { LatestPuts, type LatestPut } from "./latest-puts";
import type { RevisionTime, TimeEstimate, WriteBucketQuery, WriteBucketRow } from "./store";
import pg from "pg";
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

// The archive in PostgreSQL, for several dashboard replicas and many clusters on one database.
// The rows mean what they mean in the SQLite engine (versions keyed by key and revision, values
// compressed against the key's previous version, idempotent inserts); the tables live in their
// own schema so that a database shared with other applications keeps its names.
//
// The recorder lock is two things. A session-level advisory lock on the cluster says who is alive:
// PostgreSQL releases it the moment the holder's session ends, so a replica that dies or closes is
// replaced at the next try of another. It is taken on a connection of its own, never on one of
// the pool's: a pooled connection goes back to the pool after each query and serves other
// queries, keeping the lock with it, and the pool may close it when idle, releasing the lock
// without anyone noticing. That session also sets idle_session_timeout to the lock's TTL, so a
// holder that stops renewing (paused, partitioned) loses its session, and with it the lock, on the
// server's clock. The row in recorder_locks names the holder the writes are checked against, inside
// their transaction (FOR SHARE, so a takeover waits for a write in flight): a holder whose session
// ended keeps writing until another recorder takes over, as in the SQLite engine.
// idle_session_timeout needs PostgreSQL 14 or newer.

const SCHEMA = "etcdlens";

// The advisory lock's first key: "etcl" in ASCII, so that etcdlens' locks stand apart from other
// applications' in pg_locks; the second key is the cluster's id (0 guards the schema migration).
const LOCK_CLASS = 0x6574636c;
const MIGRATION_LOCK = 0;

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ${SCHEMA}.clusters (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    last_revision bigint NOT NULL DEFAULT 0,
    first_revision bigint,
    recording_since bigint
  );
  CREATE TABLE ${SCHEMA}.keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id integer NOT NULL,
    key bytea NOT NULL,
    UNIQUE (cluster_id, key)
  );
  -- position: the event's place in its revision; NULL for a version known only from a baseline.
  -- base_revision: the version whose value is the dictionary this one was compressed against.
  CREATE TABLE ${SCHEMA}.versions (
    key_id bigint NOT NULL,
    revision bigint NOT NULL,
    cluster_id integer NOT NULL,
    position integer,
    deleted boolean NOT NULL,
    create_revision bigint NOT NULL,
    version bigint NOT NULL,
    lease text NOT NULL,
    encoding smallint NOT NULL,
    depth smallint NOT NULL,
    base_revision bigint,
    value bytea NOT NULL,
    PRIMARY KEY (key_id, revision)
  );
  CREATE INDEX versions_by_revision ON ${SCHEMA}.versions (cluster_id, revision);
  CREATE TABLE ${SCHEMA}.revisions (
    cluster_id integer NOT NULL,
    revision bigint NOT NULL,
    arrived_at bigint NOT NULL,
    PRIMARY KEY (cluster_id, revision)
  );
  CREATE INDEX revisions_by_time ON ${SCHEMA}.revisions (cluster_id, arrived_at);
  CREATE TABLE ${SCHEMA}.baselines (
    cluster_id integer NOT NULL,
    revision bigint NOT NULL,
    finished_at bigint,
    PRIMARY KEY (cluster_id, revision)
  );
  CREATE TABLE ${SCHEMA}.gaps (
    cluster_id integer NOT NULL,
    from_revision bigint NOT NULL,
    to_revision bigint NOT NULL,
    recorded_at bigint NOT NULL,
    PRIMARY KEY (cluster_id, from_revision)
  );
  CREATE TABLE ${SCHEMA}.recorder_locks (
    cluster_id integer PRIMARY KEY,
    holder text NOT NULL
  );
  `,
  // The folder index a dashboard saved, so that a restart catches up instead of a keys-only pass.
  `
  CREATE TABLE ${SCHEMA}.folder_indexes (
    cluster_id integer PRIMARY KEY,
    revision bigint NOT NULL,
    saved_at bigint NOT NULL,
    data bytea NOT NULL
  );
  `,
  // Estimated times of the revisions that did not arrive live (the baseline's, etcd's retained history).
  `
  CREATE TABLE ${SCHEMA}.revision_estimates (
    cluster_id integer NOT NULL,
    revision bigint NOT NULL,
    estimated_at bigint NOT NULL,
    PRIMARY KEY (cluster_id, revision)
  );
  CREATE INDEX revision_estimates_by_time ON ${SCHEMA}.revision_estimates (cluster_id, estimated_at);
  `,
  // What a size retention counts (kept on every write, never scanned for), and where the
  // retention last cut the archive, shown like a compaction.
  `
  ALTER TABLE ${SCHEMA}.clusters ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0,
    ADD COLUMN pruned_before bigint, ADD COLUMN pruned_at bigint;
  UPDATE ${SCHEMA}.clusters c SET stored_bytes =
    (SELECT COALESCE(SUM(octet_length(value)), 0) + COUNT(*) * ${VERSION_ROW_BYTES} FROM ${SCHEMA}.versions v WHERE v.cluster_id = c.id);
  `,
  // The etcd cluster each archive was recorded from (its cluster ID), so a name re-pointed at another is refused.
  `
  ALTER TABLE ${SCHEMA}.clusters ADD COLUMN etcd_cluster_id text;
  `,
  // The audit trail (lib/audit): who revealed, exported, signed in or was refused what. id orders
  // the entries as stored; the two indexes serve the /audit page's filters by user and by action.
  `
  CREATE TABLE ${SCHEMA}.audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time bigint NOT NULL,
    user_name text NOT NULL,
    group_names text NOT NULL,
    via text NOT NULL,
    cluster text,
    key bytea,
    prefix bytea,
    revision bigint,
    field text,
    action text NOT NULL,
    outcome text NOT NULL,
    reason text,
    remote_address text
  );
  CREATE INDEX audit_by_user ON ${SCHEMA}.audit (user_name, id);
  CREATE INDEX audit_by_action ON ${SCHEMA}.audit (action, id);
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

// int8 columns come back as strings (pg cannot know they fit a double); revisions and
// millisecond times do, lease IDs are kept as text.
const toNumber = (value: string | number | null): number | null => (value === null ? null : Number(value));

type VersionRow = {
  revision: string;
  position: number | null;
  deleted: boolean;
  create_revision: string;
  version: string;
  lease: string;
  encoding: ValueEncoding;
  depth: number;
  base_revision: string | null;
  value: Buffer;
  arrived_at: string | null;
};

type RevisionRow = VersionRow & { key_id: string; key: Buffer };

type Base = CodecBase & { revision: number };

/** Versions one prune transaction removes at most: recording waits for no longer. */
const PRUNE_BATCH_VERSIONS = 1_000;
/** A key's versions from the cut on checked for a base below it (versions arrive in revision order: the first PUT after the cut is the one). */
const PRUNE_SCAN_AHEAD = 16;

type PruneRow = { revision: string; deleted: boolean; position: number | null; base_revision: string | null; bytes: number };

const VERSION_COLUMNS =
  "v.revision, v.position, v.deleted, v.create_revision, v.version, v.lease, v.encoding, v.depth, v.base_revision, v.value";

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Replicas starting together would otherwise race to create the same tables.
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (version integer NOT NULL)`);
    const found = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.schema_version`);
    const version = found.rows[0]?.version ?? 0;
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new Error(
        `the archive database was written by a newer etcdlens (schema ${version}; this one reads up to ${POSTGRES_SCHEMA_VERSION})`,
      );
    }
    for (let step = version; step < POSTGRES_SCHEMA_VERSION; step += 1) await client.query(MIGRATIONS[step]);
    if (found.rows.length === 0)
      await client.query(`INSERT INTO ${SCHEMA}.schema_version (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION]);
    else await client.query(`UPDATE ${SCHEMA}.schema_version SET version = $1`, [POSTGRES_SCHEMA_VERSION]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Opens (and creates or migrates) the archive in the database at `url` (postgres://…). */
export async function openPostgresStore(url: string): Promise<PostgresArchiveStore> {
  const pool = new pg.Pool({ connectionString: url, max: 8, idleTimeoutMillis: 30_000 });
  // An idle pooled connection that breaks (PostgreSQL restarted) is dropped by the pool; without a
  // listener its 'error' event would end the process.
  pool.on("error", () => {});
  // A connection that breaks while checked out (PostgreSQL stopped mid-transaction) emits 'error'
  // too, where the pool's listener is not attached: its query rejects, which is the report.
  pool.on("connect", (client) => client.on("error", () => {}));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return new PostgresArchiveStore(pool, url);
}

/** A connection holding one cluster's advisory lock for one holder. */
type LockSession = { client: pg.Client; alive: boolean };

export class PostgresArchiveStore implements ArchiveStore {
  readonly engine = "postgres";
  private readonly clusterIds = new Map<string, number>();
  private readonly latest = new LatestPuts<string>();
  private readonly sessions = new Map<string, LockSession>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  async appendRevisions(cluster: string, holder: string, revisions: readonly ArchivedRevision[]): Promise<void> {
    if (revisions.length === 0) return;
    await this.write(cluster, holder, async (client, clusterId, latest) => {
      const arrived = revisions.filter((revision) => revision.arrivedAt !== null);
      if (arrived.length > 0) {
        await client.query(
          `INSERT INTO ${SCHEMA}.revisions (cluster_id, revision, arrived_at)
           SELECT $1, * FROM unnest($2::int8[], $3::int8[]) ON CONFLICT DO NOTHING`,
          [clusterId, arrived.map((revision) => revision.revision), arrived.map((revision) => revision.arrivedAt)],
        );
      }
      const events = revisions.flatMap((revision) => revision.events.map((event, position) => ({ event, position })));
      await this.storeEvents(client, clusterId, events, latest);
      const numbers = revisions.map((revision) => revision.revision);
      await client.query(
        `UPDATE ${SCHEMA}.clusters SET last_revision = GREATEST(last_revision, $2), first_revision = COALESCE(first_revision, $3),
         recording_since = COALESCE(recording_since, $4) WHERE id = $1`,
        [clusterId, Math.max(...numbers), Math.min(...numbers), Date.now()],
      );
    });
  }

  async lastRecordedRevision(cluster: string): Promise<number> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return 0;
    const { rows } = await this.pool.query<{ last_revision: string }>(`SELECT last_revision FROM ${SCHEMA}.clusters WHERE id = $1`, [
      clusterId,
    ]);
    return Number(rows[0].last_revision);
  }

  async appendBaseline(cluster: string, holder: string, revision: number, versions: readonly ArchivedEvent[]): Promise<void> {
    await this.write(cluster, holder, async (client, clusterId, latest) => {
      await client.query(`INSERT INTO ${SCHEMA}.baselines (cluster_id, revision) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        clusterId,
        revision,
      ]);
      await client.query(`UPDATE ${SCHEMA}.clusters SET recording_since = COALESCE(recording_since, $2) WHERE id = $1`, [
        clusterId,
        Date.now(),
      ]);
      await this.storeEvents(
        client,
        clusterId,
        versions.map((event) => ({ event, position: null })),
        latest,
      );
    });
  }

  async finishBaseline(cluster: string, holder: string, revision: number): Promise<void> {
    await this.write(cluster, holder, async (client, clusterId) => {
      await client.query(`INSERT INTO ${SCHEMA}.baselines (cluster_id, revision) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        clusterId,
        revision,
      ]);
      await client.query(`UPDATE ${SCHEMA}.baselines SET finished_at = COALESCE(finished_at, $3) WHERE cluster_id = $1 AND revision = $2`, [
        clusterId,
        revision,
        Date.now(),
      ]);
    });
  }

  async bindEtcdCluster(cluster: string, holder: string, etcdClusterId: string): Promise<void> {
    await this.write(cluster, holder, async (client, clusterId) => {
      const { rows } = await client.query<{ etcd_cluster_id: string | null }>(
        `SELECT etcd_cluster_id FROM ${SCHEMA}.clusters WHERE id = $1 FOR UPDATE`,
        [clusterId],
      );
      const recorded = rows[0].etcd_cluster_id;
      if (recorded === null)
        await client.query(`UPDATE ${SCHEMA}.clusters SET etcd_cluster_id = $2 WHERE id = $1`, [clusterId, etcdClusterId]);
      else if (recorded !== etcdClusterId) throw new ArchiveClusterMismatchError(cluster, recorded, etcdClusterId);
    });
  }

  async etcdClusterIdOf(cluster: string): Promise<string | null> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const { rows } = await this.pool.query<{ etcd_cluster_id: string | null }>(
      `SELECT etcd_cluster_id FROM ${SCHEMA}.clusters WHERE id = $1`,
      [clusterId],
    );
    return rows[0]?.etcd_cluster_id ?? null;
  }

  async recordGap(cluster: string, holder: string, from: number, to: number): Promise<void> {
    if (to < from) throw new Error(`a gap from revision ${from} to ${to} is empty`);
    await this.write(cluster, holder, async (client, clusterId) => {
      await client.query(
        `INSERT INTO ${SCHEMA}.gaps AS g (cluster_id, from_revision, to_revision, recorded_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cluster_id, from_revision) DO UPDATE SET to_revision = GREATEST(g.to_revision, excluded.to_revision)`,
        [clusterId, from, to, Date.now()],
      );
    });
  }

  async gaps(cluster: string): Promise<ArchiveGap[]> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return [];
    return this.listGaps(clusterId);
  }

  async coverage(cluster: string): Promise<ArchiveCoverage> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return { firstRevision: null, lastRevision: 0, recordingSince: null, baselines: [], gaps: [] };
    const { rows } = await this.pool.query<{
      last_revision: string;
      first_revision: string | null;
      recording_since: string | null;
      stored_bytes: string;
      pruned_before: string | null;
      pruned_at: string | null;
    }>(
      `SELECT last_revision, first_revision, recording_since, stored_bytes, pruned_before, pruned_at FROM ${SCHEMA}.clusters WHERE id = $1`,
      [clusterId],
    );
    const baselines = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${SCHEMA}.baselines WHERE cluster_id = $1 AND finished_at IS NOT NULL ORDER BY revision`,
      [clusterId],
    );
    return {
      firstRevision: toNumber(rows[0].first_revision),
      lastRevision: Number(rows[0].last_revision),
      recordingSince: toNumber(rows[0].recording_since),
      baselines: baselines.rows.map((row) => Number(row.revision)),
      gaps: await this.listGaps(clusterId),
      pruned: rows[0].pruned_before === null ? null : { before: Number(rows[0].pruned_before), at: Number(rows[0].pruned_at ?? 0) },
      storedBytes: Number(rows[0].stored_bytes),
    };
  }

  async prune(cluster: string, holder: string, request: PruneRequest): Promise<PruneResult> {
    if ((await this.findCluster(cluster)) === undefined) return { firstRevision: null, removedVersions: 0, done: true };
    let result: PruneResult = { firstRevision: null, removedVersions: 0, done: true };
    await this.write(cluster, holder, async (client, clusterId) => {
      result = await this.pruneBatch(client, clusterId, request);
    });
    // The cache may name a version just removed (a key deleted below the boundary) as a base.
    if (result.removedVersions > 0) this.latest.clear();
    return result;
  }

  private async pruneBatch(client: pg.PoolClient, clusterId: number, request: PruneRequest): Promise<PruneResult> {
    const found = await client.query<{ first_revision: string | null; last_revision: string; stored_bytes: string }>(
      `SELECT first_revision, last_revision, stored_bytes FROM ${SCHEMA}.clusters WHERE id = $1`,
      [clusterId],
    );
    const first = toNumber(found.rows[0].first_revision);
    if (first === null) return { firstRevision: null, removedVersions: 0, done: true };
    const last = Number(found.rows[0].last_revision);
    const storedBefore = Number(found.rows[0].stored_bytes);
    // How far the retention asks to go, and how far one batch may: the revision of the batch's last version.
    let target = first;
    if (request.olderThanMs !== undefined) {
      const old = await client.query<{ revision: string }>(
        `SELECT revision FROM ${SCHEMA}.revisions WHERE cluster_id = $1 AND arrived_at <= $2 ORDER BY arrived_at DESC, revision DESC LIMIT 1`,
        [clusterId, Date.now() - request.olderThanMs],
      );
      if (old.rows[0]) target = Math.max(target, Number(old.rows[0].revision));
    }
    const batch = Math.max(1, request.batchVersions ?? PRUNE_BATCH_VERSIONS);
    const step = await client.query<{ revision: string; bytes: number }>(
      `SELECT revision, octet_length(value) AS bytes FROM ${SCHEMA}.versions WHERE cluster_id = $1 AND revision > $2 ORDER BY revision LIMIT $3`,
      [clusterId, first, batch],
    );
    const oldest = step.rows.map((row) => ({ revision: Number(row.revision), bytes: row.bytes }));
    if (request.maxBytes !== undefined && storedBefore > request.maxBytes) {
      target = Math.max(target, sizeBoundary(oldest, storedBefore - request.maxBytes) ?? last);
    }
    target = Math.min(target, last);
    const boundary = Math.min(target, oldest.length === batch ? oldest[batch - 1].revision : last);
    if (boundary <= first) return { firstRevision: first, removedVersions: 0, done: true };

    const baselines = await client.query<{ revision: string }>(
      `SELECT revision FROM ${SCHEMA}.baselines WHERE cluster_id = $1 AND revision >= $2`,
      [clusterId, boundary],
    );
    const baselinesAbove = baselines.rows.map((row) => Number(row.revision));
    const touched = await client.query<{ key_id: string }>(
      `SELECT DISTINCT key_id FROM ${SCHEMA}.versions WHERE cluster_id = $1 AND revision >= $2 AND revision <= $3`,
      [clusterId, first, boundary],
    );
    let removed = 0;
    let bytes = 0;
    for (const { key_id: keyId } of touched.rows) {
      const pruned = await this.pruneKey(client, keyId, boundary, baselinesAbove);
      removed += pruned.removed;
      bytes += pruned.bytes;
    }
    const run = (sql: string, values: unknown[]) => client.query(sql, values);
    await run(`DELETE FROM ${SCHEMA}.revisions WHERE cluster_id = $1 AND revision < $2`, [clusterId, boundary]);
    // The newest estimate at or below the boundary stays: it dates the boundary and what follows it until the next.
    await run(
      `DELETE FROM ${SCHEMA}.revision_estimates WHERE cluster_id = $1 AND revision <
       (SELECT MAX(revision) FROM ${SCHEMA}.revision_estimates WHERE cluster_id = $1 AND revision <= $2)`,
      [clusterId, boundary],
    );
    await run(`DELETE FROM ${SCHEMA}.baselines WHERE cluster_id = $1 AND revision < $2`, [clusterId, boundary]);
    // The cut holds every key's value at it, as a baseline does: views that judge a key absent at a
    // revision by the baseline before it find this one.
    await run(
      `INSERT INTO ${SCHEMA}.baselines AS b (cluster_id, revision, finished_at) VALUES ($1, $2, $3)
       ON CONFLICT (cluster_id, revision) DO UPDATE SET finished_at = COALESCE(b.finished_at, excluded.finished_at)`,
      [clusterId, boundary, Date.now()],
    );
    await run(`DELETE FROM ${SCHEMA}.gaps WHERE cluster_id = $1 AND to_revision < $2`, [clusterId, boundary]);
    await run(`UPDATE ${SCHEMA}.gaps SET from_revision = $2 WHERE cluster_id = $1 AND from_revision < $2 AND to_revision >= $2`, [
      clusterId,
      boundary,
    ]);
    await run(
      `UPDATE ${SCHEMA}.clusters SET first_revision = $2, pruned_before = $2, pruned_at = $3, stored_bytes = stored_bytes + $4 WHERE id = $1`,
      [clusterId, boundary, Date.now(), bytes],
    );
    const overSize = request.maxBytes !== undefined && storedBefore + bytes > request.maxBytes;
    return { firstRevision: boundary, removedVersions: removed, done: boundary >= last || (boundary >= target && !overSize) };
  }

  /** Prunes one key below `boundary` (see ArchiveStore.prune): the versions removed and the change in stored bytes. */
  private async pruneKey(
    client: pg.PoolClient,
    keyId: string,
    boundary: number,
    baselinesAbove: readonly number[],
  ): Promise<{ removed: number; bytes: number }> {
    // Sizes only: a value is read when it must be stored again, never for a version that goes.
    const columns = "revision, deleted, position, base_revision, octet_length(value) AS bytes";
    const { rows } = await client.query<PruneRow>(
      `(SELECT ${columns} FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision <= $2)
       UNION ALL
       (SELECT ${columns} FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision > $2 ORDER BY revision LIMIT $3)
       ORDER BY revision`,
      [keyId, boundary, PRUNE_SCAN_AHEAD],
    );
    const below = rows.filter((row) => Number(row.revision) <= boundary);
    const plan = planKeyPrune(
      below.map((row) => ({ revision: Number(row.revision), deleted: row.deleted })),
      boundary,
    );
    const doomed = below.filter((row) => Number(row.revision) < plan.deleteBelow);
    if (doomed.length === 0) return { removed: 0, bytes: 0 };
    // The versions left whose chain base is about to go: the kept one, the key's first PUT from the
    // cut on (versions arrive in revision order and compress against a PUT below them, so only the
    // first can reach past the cut; a few more are checked), and the versions baselines stored
    // ahead of the history replayed after them.
    const candidates = new Map<number, PruneRow>(
      rows.filter((row) => Number(row.revision) >= plan.deleteBelow).map((row) => [Number(row.revision), row]),
    );
    for (const revision of baselinesAbove) {
      const at = await client.query<PruneRow>(
        `SELECT ${columns} FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT 1`,
        [keyId, revision],
      );
      if (at.rows[0]) candidates.set(Number(at.rows[0].revision), at.rows[0]);
    }
    const memo = new Map<number, Buffer>();
    const rewrites: { revision: number; value: Buffer; oldBytes: number }[] = [];
    for (const row of candidates.values()) {
      const base = toNumber(row.base_revision);
      if (row.deleted || base === null || base >= plan.deleteBelow) continue;
      const stored = await client.query<{ encoding: ValueEncoding; value: Buffer }>(
        `SELECT encoding, value FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision = $2`,
        [keyId, row.revision],
      );
      rewrites.push({
        revision: Number(row.revision),
        value: await this.decodeStored(client, keyId, stored.rows[0].encoding, stored.rows[0].value, base, memo),
        oldBytes: row.bytes,
      });
    }
    await client.query(`DELETE FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision < $2`, [keyId, plan.deleteBelow]);
    let bytes = -doomed.reduce((sum, row) => sum + archiveSizeOf(row.bytes), 0);
    for (const rewrite of rewrites) {
      const encoded = encodeValue(rewrite.value);
      await client.query(
        `UPDATE ${SCHEMA}.versions SET encoding = $1, value = $2, depth = 0, base_revision = NULL WHERE key_id = $3 AND revision = $4`,
        [encoded.encoding, encoded.bytes, keyId, rewrite.revision],
      );
      bytes += encoded.bytes.length - rewrite.oldBytes;
    }
    // Below the boundary the kept version stands alone, as a baseline's would: its revision's other events are gone.
    const kept = plan.keep === null ? undefined : below.find((row) => Number(row.revision) === plan.keep);
    if (kept && kept.position !== null)
      await client.query(`UPDATE ${SCHEMA}.versions SET position = NULL WHERE key_id = $1 AND revision = $2`, [keyId, plan.keep]);
    if (doomed.length === rows.length) await client.query(`DELETE FROM ${SCHEMA}.keys WHERE id = $1`, [keyId]);
    return { removed: doomed.length, bytes };
  }

  async historyOf(cluster: string, key: Buffer, query: HistoryQuery): Promise<ArchivedVersion[]> {
    const keyId = await this.findKey(cluster, key);
    if (keyId === undefined || query.limit <= 0) return [];
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS}, r.arrived_at FROM ${SCHEMA}.versions v
       LEFT JOIN ${SCHEMA}.revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
       WHERE v.key_id = $1 AND v.revision < $2 ORDER BY v.revision DESC LIMIT $3`,
      [keyId, query.before ?? Number.MAX_SAFE_INTEGER, query.limit],
    );
    // Oldest first, so that each version's base (usually the one just before it) is decoded already.
    const memo = new Map<number, Buffer>();
    const versions: ArchivedVersion[] = [];
    for (const row of rows.slice().reverse()) versions.push(await this.toVersion(this.pool, keyId, key, row, memo));
    return versions.reverse();
  }

  async versionAt(cluster: string, key: Buffer, revision: number): Promise<ArchivedVersion | null> {
    const keyId = await this.findKey(cluster, key);
    if (keyId === undefined) return null;
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS}, r.arrived_at FROM ${SCHEMA}.versions v
       LEFT JOIN ${SCHEMA}.revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
       WHERE v.key_id = $1 AND v.revision <= $2 ORDER BY v.revision DESC LIMIT 1`,
      [keyId, revision],
    );
    return rows[0] ? this.toVersion(this.pool, keyId, key, rows[0], new Map()) : null;
  }

  async versionsAt(cluster: string, reads: readonly VersionRead[]): Promise<(ArchivedVersion | null)[]> {
    const found: (ArchivedVersion | null)[] = reads.map(() => null);
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined || reads.length === 0) return found;
    // One round trip for every read: the key's id and its newest version at or below the read's
    // revision, by the keys' (cluster_id, key) index and the versions' primary key.
    const { rows } = await this.pool.query<VersionRow & { at: string; key_id: string }>(
      `SELECT w.at, k.id AS key_id, ${VERSION_COLUMNS}, r.arrived_at
       FROM unnest($2::bytea[], $3::int8[]) WITH ORDINALITY AS w (key, revision, at)
       JOIN ${SCHEMA}.keys k ON k.cluster_id = $1 AND k.key = w.key
       CROSS JOIN LATERAL (SELECT * FROM ${SCHEMA}.versions x WHERE x.key_id = k.id AND x.revision <= w.revision
         ORDER BY x.revision DESC LIMIT 1) v
       LEFT JOIN ${SCHEMA}.revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision`,
      [clusterId, reads.map((read) => read.key), reads.map((read) => read.revision)],
    );
    const memos = await this.decodeChains(rows.filter((row) => !row.deleted));
    for (const row of rows) {
      const at = Number(row.at) - 1;
      const keyId = String(row.key_id);
      let memo = memos.get(keyId);
      if (!memo) memos.set(keyId, (memo = new Map()));
      found[at] = await this.toVersion(this.pool, keyId, reads[at].key, row, memo);
    }
    return found;
  }

  /**
   * The bases the values of `rows` were compressed against, whole chains down to a value stored on
   * its own, read in one round trip (a recursive walk of base_revision) and decoded oldest first:
   * per key, revision → value, for toVersion to find each row's base there instead of a query per link.
   */
  private async decodeChains(rows: readonly (VersionRow & { key_id: string })[]): Promise<Map<string, Map<number, Buffer>>> {
    const memos = new Map<string, Map<number, Buffer>>();
    const starts = rows.filter(
      (row) =>
        row.encoding === ValueEncoding.DeflateWithBase &&
        row.base_revision !== null &&
        !this.latest.at(String(row.key_id), Number(row.base_revision)),
    );
    if (starts.length === 0) return memos;
    const { rows: links } = await this.pool.query<{
      key_id: string;
      revision: string;
      encoding: ValueEncoding;
      base_revision: string | null;
      value: Buffer;
    }>(
      `WITH RECURSIVE chain AS (
         SELECT v.key_id, v.revision, v.encoding, v.base_revision, v.value
         FROM unnest($1::int8[], $2::int8[]) AS w (key_id, revision)
         JOIN ${SCHEMA}.versions v ON v.key_id = w.key_id AND v.revision = w.revision
         UNION ALL
         SELECT v.key_id, v.revision, v.encoding, v.base_revision, v.value
         FROM chain c JOIN ${SCHEMA}.versions v ON v.key_id = c.key_id AND v.revision = c.base_revision
         WHERE c.encoding = ${ValueEncoding.DeflateWithBase}
       )
       SELECT key_id, revision, encoding, base_revision, value FROM chain ORDER BY key_id, revision`,
      [starts.map((row) => row.key_id), starts.map((row) => row.base_revision)],
    );
    for (const link of links) {
      const keyId = String(link.key_id);
      const revision = Number(link.revision);
      let memo = memos.get(keyId);
      if (!memo) memos.set(keyId, (memo = new Map()));
      if (memo.has(revision)) continue;
      // Oldest first: each link's base is decoded already (or held in memory by the recorder).
      memo.set(revision, await this.decodeStored(this.pool, keyId, link.encoding, link.value, toNumber(link.base_revision), memo));
    }
    return memos;
  }

  async readRevisions(cluster: string, query: RevisionQuery): Promise<ArchivedRevision[]> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined || query.limit <= 0) return [];
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    let rows = await this.revisionRows(clusterId, query.from, to, query.limit);
    if (rows.length === query.limit) {
      // The limit may have cut the last revision; read it whole.
      const lastRevision = rows[rows.length - 1].revision;
      const whole = await this.revisionRows(clusterId, Number(lastRevision), Number(lastRevision), null);
      rows = rows.filter((row) => row.revision !== lastRevision).concat(whole);
    }
    const memos = new Map<string, Map<number, Buffer>>();
    const revisions: ArchivedRevision[] = [];
    for (const row of rows) {
      let memo = memos.get(row.key_id);
      if (!memo) memos.set(row.key_id, (memo = new Map()));
      const { arrivedAt, fromBaseline: _fromBaseline, ...event } = await this.toVersion(this.pool, row.key_id, row.key, row, memo);
      const last = revisions[revisions.length - 1];
      if (last?.revision === event.revision) last.events.push(event);
      else revisions.push({ revision: event.revision, arrivedAt, events: [event] });
    }
    return revisions;
  }

  async listLevelAt(cluster: string, query: LevelQuery): Promise<ArchivedLevel> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined || query.limit <= 0) return { items: [], nextCursor: null };
    // Named statements: a level takes one seek per child, each parsed and planned once per connection.
    // PostgreSQL walks the (cluster_id, key) index from the position and reads each passed key's
    // newest version ≤ revision by the versions' primary key; the two forms keep the walk bounded.
    const alive = `(SELECT v.deleted FROM ${SCHEMA}.versions v WHERE v.key_id = k.id AND v.revision <= $3 ORDER BY v.revision DESC LIMIT 1) = false`;
    return listLevelBySkipScan(async (from, end, limit) => {
      const { rows } = await this.pool.query<{ key: Buffer }>(
        end
          ? {
              name: "etcdlens_live_keys",
              text: `SELECT k.key FROM ${SCHEMA}.keys k WHERE k.cluster_id = $1 AND k.key >= $2 AND k.key < $5 AND ${alive} ORDER BY k.key LIMIT $4`,
              values: [clusterId, from, query.revision, limit, end],
            }
          : {
              name: "etcdlens_live_keys_to_end",
              text: `SELECT k.key FROM ${SCHEMA}.keys k WHERE k.cluster_id = $1 AND k.key >= $2 AND ${alive} ORDER BY k.key LIMIT $4`,
              values: [clusterId, from, query.revision, limit],
            },
      );
      return rows.map((row) => row.key);
    }, query);
  }

  async saveFolderIndex(cluster: string, snapshot: FolderIndexSnapshot): Promise<void> {
    const clusterId = await this.ensureCluster(cluster);
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.folder_indexes (cluster_id, revision, saved_at, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (cluster_id) DO UPDATE SET revision = excluded.revision, saved_at = excluded.saved_at, data = excluded.data
       WHERE excluded.revision >= ${SCHEMA}.folder_indexes.revision`,
      [clusterId, snapshot.revision, snapshot.savedAt, snapshot.data],
    );
  }

  async loadFolderIndex(cluster: string): Promise<FolderIndexSnapshot | null> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const { rows } = await this.pool.query<{ revision: string; saved_at: string; data: Buffer }>(
      `SELECT revision, saved_at, data FROM ${SCHEMA}.folder_indexes WHERE cluster_id = $1`,
      [clusterId],
    );
    return rows[0] ? { revision: Number(rows[0].revision), savedAt: Number(rows[0].saved_at), data: rows[0].data } : null;
  }

  async revisionAtTime(cluster: string, timeMs: number): Promise<number | null> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${SCHEMA}.revisions WHERE cluster_id = $1 AND arrived_at <= $2 ORDER BY arrived_at DESC, revision DESC LIMIT 1`,
      [clusterId, timeMs],
    );
    return rows[0] ? Number(rows[0].revision) : null;
  }

  async appendTimeEstimates(cluster: string, holder: string, estimates: readonly TimeEstimate[]): Promise<void> {
    if (estimates.length === 0) return;
    await this.write(cluster, holder, async (client, clusterId) => {
      await client.query(
        `INSERT INTO ${SCHEMA}.revision_estimates (cluster_id, revision, estimated_at)
         SELECT $1, * FROM unnest($2::int8[], $3::int8[]) ON CONFLICT DO NOTHING`,
        [clusterId, estimates.map((estimate) => estimate.revision), estimates.map((estimate) => estimate.time)],
      );
    });
  }

  async timesOf(cluster: string, revisions: readonly number[]): Promise<Map<number, RevisionTime>> {
    const times = new Map<number, RevisionTime>();
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined || revisions.length === 0) return times;
    const { rows } = await this.pool.query<{ revision: string; arrived_at: string | null; estimated_at: string | null }>(
      `SELECT r.revision, a.arrived_at,
         (SELECT e.estimated_at FROM ${SCHEMA}.revision_estimates e WHERE e.cluster_id = $1 AND e.revision <= r.revision
          ORDER BY e.revision DESC LIMIT 1) AS estimated_at
       FROM unnest($2::int8[]) AS r(revision)
       LEFT JOIN ${SCHEMA}.revisions a ON a.cluster_id = $1 AND a.revision = r.revision`,
      [clusterId, [...revisions]],
    );
    for (const row of rows) {
      if (row.arrived_at !== null) times.set(Number(row.revision), { time: Number(row.arrived_at), estimated: false });
      else if (row.estimated_at !== null) times.set(Number(row.revision), { time: Number(row.estimated_at), estimated: true });
    }
    return times;
  }

  async revisionAtEstimatedTime(cluster: string, timeMs: number): Promise<number | null> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return null;
    const { rows } = await this.pool.query<{ revision: string; later: string | null; arrival: string | null; last_revision: string }>(
      `WITH latest AS (
         SELECT revision FROM ${SCHEMA}.revision_estimates WHERE cluster_id = $1 AND estimated_at <= $2
         ORDER BY estimated_at DESC, revision DESC LIMIT 1)
       SELECT latest.revision,
         (SELECT MIN(e.revision) FROM ${SCHEMA}.revision_estimates e WHERE e.cluster_id = $1 AND e.revision > latest.revision AND e.estimated_at > $2) AS later,
         (SELECT MIN(a.revision) FROM ${SCHEMA}.revisions a WHERE a.cluster_id = $1 AND a.revision > latest.revision) AS arrival,
         (SELECT c.last_revision FROM ${SCHEMA}.clusters c WHERE c.id = $1) AS last_revision
       FROM latest`,
      [clusterId, timeMs],
    );
    const row = rows[0];
    if (!row) return null;
    const bounds = [row.later, row.arrival].filter((revision): revision is string => revision !== null).map(Number);
    if (bounds.length > 0) return Math.min(...bounds) - 1;
    return Math.max(Number(row.last_revision), Number(row.revision));
  }

  async tryLockRecorder(cluster: string, holder: string, ttlMs: number): Promise<boolean> {
    const clusterId = await this.ensureCluster(cluster);
    if (await this.keepSession(cluster, holder, ttlMs)) return true;
    const session = await this.openLockSession(clusterId, ttlMs);
    if (!session) return false;
    // The advisory lock is ours, so no other recorder changes the row now; a write of the previous
    // holder still in flight finishes first (it holds the row FOR SHARE).
    const previous = await this.lockHolder(this.pool, clusterId);
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.recorder_locks (cluster_id, holder) VALUES ($1, $2)
       ON CONFLICT (cluster_id) DO UPDATE SET holder = excluded.holder`,
      [clusterId, holder],
    );
    // Another recorder may have written since this store last did: what it remembers of the
    // newest versions may be stale.
    if (previous !== holder) this.latest.clear();
    this.sessions.set(sessionKey(cluster, holder), session);
    return true;
  }

  async renewRecorderLock(cluster: string, holder: string, ttlMs: number): Promise<boolean> {
    const clusterId = await this.ensureCluster(cluster);
    if (await this.keepSession(cluster, holder, ttlMs)) return true;
    // The session ended (its TTL passed, or PostgreSQL restarted). The lock is still this holder's
    // when no other recorder took it meanwhile: the advisory lock is free and the row names it.
    const session = await this.openLockSession(clusterId, ttlMs);
    if (!session) return false;
    if ((await this.lockHolder(this.pool, clusterId)) !== holder) {
      await endSession(session);
      return false;
    }
    this.sessions.set(sessionKey(cluster, holder), session);
    return true;
  }

  // Without a bound on v.revision PostgreSQL hash-joins the whole versions table (4.3 s for a 6-hour
  // slice of a million-revision archive, npm run bench:insights): the range's first and last
  // revision, two lookups in revisions_by_time, bound it so versions_by_revision is walked for the
  // range alone. Revisions arrive in order, so these are the range's lowest and highest (unless the
  // recorder's clock stepped back inside the range: revisions beyond the bounds are then missed).
  async writesPerBucket(cluster: string, query: WriteBucketQuery): Promise<WriteBucketRow[]> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return [];
    const from = query.prefix.length + 1;
    const rest = `substring(k.key FROM ${from})`;
    const slash = `position('\\x2f'::bytea IN ${rest})`;
    const underPrefix = query.prefix.length === 0 ? "" : `AND substring(k.key FROM 1 FOR ${query.prefix.length}) = $6`;
    const { rows } = await this.pool.query<{ bucket_start: string; folder: Buffer; writes: string; bytes: string | null }>(
      `SELECT (r.arrived_at / $2) * $2 AS bucket_start,
         CASE WHEN ${slash} > 0 THEN substring(k.key FROM ${from} FOR ${slash}) ELSE ${rest} END AS folder,
         COUNT(*) AS writes, SUM(CASE WHEN v.deleted THEN 0 ELSE length(v.value) END) AS bytes
       FROM ${SCHEMA}.revisions r
       JOIN ${SCHEMA}.versions v ON v.cluster_id = r.cluster_id AND v.revision = r.revision
       JOIN ${SCHEMA}.keys k ON k.id = v.key_id
       WHERE r.cluster_id = $1 AND r.arrived_at >= $3 AND r.arrived_at < $4 ${underPrefix}
         AND v.revision >= (SELECT revision FROM ${SCHEMA}.revisions WHERE cluster_id = $1 AND arrived_at >= $3 ORDER BY arrived_at, revision LIMIT 1)
         AND v.revision <= (SELECT revision FROM ${SCHEMA}.revisions WHERE cluster_id = $1 AND arrived_at < $4 ORDER BY arrived_at DESC, revision DESC LIMIT 1)
       GROUP BY bucket_start, folder
       LIMIT $5`,
      [clusterId, query.bucketMs, query.fromMs, query.toMs, query.maxRows, ...(query.prefix.length === 0 ? [] : [query.prefix])],
    );
    return rows.map((row) => ({
      bucketStart: Number(row.bucket_start),
      folder: row.folder,
      writes: Number(row.writes),
      bytes: Number(row.bytes ?? 0),
    }));
  }

  async releaseRecorderLock(cluster: string, holder: string): Promise<void> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId !== undefined) {
      await this.pool.query(`DELETE FROM ${SCHEMA}.recorder_locks WHERE cluster_id = $1 AND holder = $2`, [clusterId, holder]);
    }
    const session = this.sessions.get(sessionKey(cluster, holder));
    this.sessions.delete(sessionKey(cluster, holder));
    if (session) await endSession(session);
  }

  async appendAudit(rows: readonly AuditRow[]): Promise<void> {
    // Each statement is atomic; lib/audit gives at most one statement's worth at a time.
    for (let start = 0; start < rows.length; start += AUDIT_INSERT_BATCH) {
      const { sql, params } = auditInsert(`${SCHEMA}.audit`, (index) => `$${index + 1}`, rows.slice(start, start + AUDIT_INSERT_BATCH));
      await this.pool.query(sql, params);
    }
  }

  async listAudit(query: AuditQuery): Promise<StoredAuditRow[]> {
    const { sql, params } = auditSelect(`${SCHEMA}.audit`, (index) => `$${index + 1}`, query);
    const { rows } = await this.pool.query<AuditResultRow>(sql, params);
    return rows.map(readAuditRow);
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(endSession));
    if (!this.pool.ended) await this.pool.end();
  }

  /** True when `holder` has a live lock session for the cluster here; it is renewed for `ttlMs`. */
  private async keepSession(cluster: string, holder: string, ttlMs: number): Promise<boolean> {
    const key = sessionKey(cluster, holder);
    const session = this.sessions.get(key);
    if (!session) return false;
    if (session.alive) {
      try {
        // Any statement restarts the server's idle clock; this one also sets the new TTL.
        await session.client.query("SELECT set_config('idle_session_timeout', $1, false)", [String(ttlMs)]);
        return true;
      } catch {
        session.alive = false;
      }
    }
    this.sessions.delete(key);
    await endSession(session);
    return false;
  }

  /** A new session holding the cluster's advisory lock; null when another session holds it. */
  private async openLockSession(clusterId: number, ttlMs: number): Promise<LockSession | null> {
    // A renewal slower than the TTL is too late anyway; without a timeout a query on a connection
    // that silently died would wait for TCP to give up, minutes later.
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000, query_timeout: Math.max(ttlMs, 1_000) });
    const session: LockSession = { client, alive: true };
    // The server ends the session when it sits idle past the TTL (or restarts); the next renewal
    // then finds it gone. Without the listener the event would end the process.
    client.on("error", () => {
      session.alive = false;
    });
    client.on("end", () => {
      session.alive = false;
    });
    try {
      await client.connect();
      await client.query("SELECT set_config('idle_session_timeout', $1, false)", [String(ttlMs)]);
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [LOCK_CLASS, clusterId]);
      if (rows[0].locked) return session;
    } catch (error) {
      await endSession(session);
      throw error;
    }
    await endSession(session);
    return null;
  }

  private async lockHolder(db: Queryable, clusterId: number, forShare = false): Promise<string | undefined> {
    const { rows } = await db.query<{ holder: string }>(
      `SELECT holder FROM ${SCHEMA}.recorder_locks WHERE cluster_id = $1${forShare ? " FOR SHARE" : ""}`,
      [clusterId],
    );
    return rows[0]?.holder;
  }

  /**
   * Runs `body` in one transaction on a pooled connection, only while the lock row names `holder`;
   * the newest versions it stores reach the cache only once it commits.
   */
  private async write(
    cluster: string,
    holder: string,
    body: (client: pg.PoolClient, clusterId: number, latest: Map<string, LatestPut>) => Promise<void>,
  ): Promise<void> {
    const clusterId = await this.ensureCluster(cluster);
    const client = await this.pool.connect();
    const latest = new Map<string, LatestPut>();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      if ((await this.lockHolder(client, clusterId, true)) !== holder) throw new RecorderLockLostError(cluster, holder);
      await body(client, clusterId, latest);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that could not even roll back is not given to the next query.
      client.release(broken);
    }
    for (const [keyId, put] of latest) this.latest.remember(keyId, put);
  }

  private async storeEvents(
    client: pg.PoolClient,
    clusterId: number,
    items: readonly { event: ArchivedEvent; position: number | null }[],
    latest: Map<string, LatestPut>,
  ): Promise<void> {
    if (items.length === 0) return;
    const keyIds = await this.ensureKeys(
      client,
      clusterId,
      items.map((item) => item.event.key),
    );
    const ids = items.map((item) => keyIds.get(item.event.key.toString("hex"))!);
    const { rows } = await client.query<{ key_id: string; revision: string; position: number | null }>(
      `SELECT v.key_id, v.revision, v.position FROM ${SCHEMA}.versions v
       JOIN unnest($1::int8[], $2::int8[]) AS wanted (key_id, revision) ON v.key_id = wanted.key_id AND v.revision = wanted.revision`,
      [ids, items.map((item) => item.event.revision)],
    );
    const existing = new Map(rows.map((row) => [`${row.key_id}:${row.revision}`, row.position]));
    const fetched = await this.fetchBases(client, ids, items, existing, latest);
    const inserts: (string | number | boolean | Buffer | null)[][] = [];
    const positions: { keyId: string; revision: number; position: number }[] = [];
    for (let index = 0; index < items.length; index += 1) {
      const { event, position } = items[index];
      const keyId = ids[index];
      const stored = `${keyId}:${event.revision}`;
      if (existing.has(stored)) {
        // Known from a baseline and now seen as an event: it gains its place in its revision.
        if (position !== null && existing.get(stored) === null) {
          positions.push({ keyId, revision: event.revision, position });
          existing.set(stored, position);
        }
        continue;
      }
      existing.set(stored, position);
      const deleted = event.type === "DELETE";
      const base = deleted ? undefined : await this.baseFor(client, keyId, event.revision, latest, fetched);
      const encoded = deleted ? { encoding: ValueEncoding.Raw, bytes: Buffer.alloc(0), depth: 0 } : encodeValue(event.value, base);
      inserts.push([
        keyId,
        event.revision,
        position,
        deleted,
        deleted ? 0 : event.createRevision,
        deleted ? 0 : event.version,
        deleted ? "0" : event.lease,
        encoded.encoding,
        encoded.depth,
        encoded.encoding === ValueEncoding.DeflateWithBase ? base!.revision : null,
        encoded.bytes,
      ]);
      if (!deleted) {
        const known = latest.get(keyId);
        if (!known || known.revision < event.revision)
          latest.set(keyId, { revision: event.revision, value: event.value, depth: encoded.depth });
      }
    }
    if (inserts.length > 0) {
      const added = inserts.reduce((sum, row) => sum + archiveSizeOf((row[10] as Buffer).length), 0);
      await client.query(`UPDATE ${SCHEMA}.clusters SET stored_bytes = stored_bytes + $2 WHERE id = $1`, [clusterId, added]);
      const column = (index: number) => inserts.map((row) => row[index]);
      await client.query(
        `INSERT INTO ${SCHEMA}.versions
           (key_id, revision, cluster_id, position, deleted, create_revision, version, lease, encoding, depth, base_revision, value)
         SELECT k, r, $1, p, d, cr, ver, l, e, dp, b, val
         FROM unnest($2::int8[], $3::int8[], $4::int4[], $5::bool[], $6::int8[], $7::int8[], $8::text[], $9::int2[], $10::int2[], $11::int8[], $12::bytea[])
           AS t (k, r, p, d, cr, ver, l, e, dp, b, val)
         ON CONFLICT DO NOTHING`,
        [clusterId, ...Array.from({ length: 11 }, (_, index) => column(index))],
      );
    }
    if (positions.length > 0) {
      await client.query(
        `UPDATE ${SCHEMA}.versions v SET position = t.p FROM unnest($1::int8[], $2::int8[], $3::int4[]) AS t (k, r, p)
         WHERE v.key_id = t.k AND v.revision = t.r AND v.position IS NULL`,
        [positions.map((entry) => entry.keyId), positions.map((entry) => entry.revision), positions.map((entry) => entry.position)],
      );
    }
  }

  /** Key ids by the key's hex, inserting the keys not stored yet. */
  private async ensureKeys(client: pg.PoolClient, clusterId: number, keys: readonly Buffer[]): Promise<Map<string, string>> {
    const unique = [...new Map(keys.map((key) => [key.toString("hex"), key])).values()];
    await client.query(`INSERT INTO ${SCHEMA}.keys (cluster_id, key) SELECT $1, unnest($2::bytea[]) ON CONFLICT DO NOTHING`, [
      clusterId,
      unique,
    ]);
    const { rows } = await client.query<{ id: string; key: Buffer }>(
      `SELECT id, key FROM ${SCHEMA}.keys WHERE cluster_id = $1 AND key = ANY($2::bytea[])`,
      [clusterId, unique],
    );
    return new Map(rows.map((row) => [row.key.toString("hex"), row.id]));
  }

  /** A stored PUT of the key below `revision` (a recent one held in memory, else the newest below it), decoded, to compress against. */
  /**
   * The bases of the keys whose first PUT in this batch has none in this transaction or in memory,
   * read in one query: one per event made a baseline (every key new) or a batch of keys not written
   * lately a round trip per key (on a fresh archive, 1,000 new keys stalled recording for 5 s in
   * npm run bench:recorder). Null: the key has no stored PUT below that first one.
   */
  private async fetchBases(
    client: pg.PoolClient,
    ids: readonly string[],
    items: readonly { event: ArchivedEvent; position: number | null }[],
    existing: ReadonlyMap<string, number | null>,
    pending: Map<string, LatestPut>,
  ): Promise<Map<string, { revision: number; base: Base | null }>> {
    const firsts = new Map<string, number>();
    for (let index = 0; index < items.length; index += 1) {
      const { event } = items[index];
      const keyId = ids[index];
      if (event.type === "DELETE" || firsts.has(keyId) || existing.has(`${keyId}:${event.revision}`)) continue;
      const inBatch = pending.get(keyId);
      if ((inBatch && inBatch.revision < event.revision) || this.latest.below(keyId, event.revision)) continue;
      firsts.set(keyId, event.revision);
    }
    const fetched = new Map<string, { revision: number; base: Base | null }>();
    if (firsts.size === 0) return fetched;
    const { rows } = await client.query<{
      key_id: string;
      revision: string;
      encoding: ValueEncoding;
      depth: number;
      base_revision: string | null;
      value: Buffer;
    }>(
      `SELECT w.key_id, v.revision, v.encoding, v.depth, v.base_revision, v.value
       FROM unnest($1::int8[], $2::int8[]) AS w (key_id, revision)
       CROSS JOIN LATERAL (SELECT revision, encoding, depth, base_revision, value FROM ${SCHEMA}.versions
         WHERE key_id = w.key_id AND revision < w.revision AND NOT deleted ORDER BY revision DESC LIMIT 1) v`,
      [[...firsts.keys()], [...firsts.values()]],
    );
    for (const [keyId, revision] of firsts) fetched.set(keyId, { revision, base: null });
    for (const row of rows) {
      const keyId = String(row.key_id);
      const value = await this.decodeStored(client, keyId, row.encoding, row.value, toNumber(row.base_revision), new Map());
      fetched.set(keyId, { revision: fetched.get(keyId)!.revision, base: { revision: Number(row.revision), value, depth: row.depth } });
    }
    return fetched;
  }

  private async baseFor(
    client: pg.PoolClient,
    keyId: string,
    revision: number,
    pending: Map<string, LatestPut>,
    fetched: ReadonlyMap<string, { revision: number; base: Base | null }> = new Map(),
  ): Promise<Base | undefined> {
    // This transaction's newest PUT of the key, then a committed one held in memory: any stored
    // PUT below `revision` is a valid base (each value names its base).
    const inBatch = pending.get(keyId);
    if (inBatch && inBatch.revision < revision) return inBatch;
    const cached = this.latest.below(keyId, revision);
    if (cached) return cached;
    // Read for this batch already: the newest stored PUT below the key's first version in it.
    const read = fetched.get(keyId);
    if (read && read.revision <= revision) return read.base ?? undefined;
    const { rows } = await client.query<{
      revision: string;
      encoding: ValueEncoding;
      depth: number;
      base_revision: string | null;
      value: Buffer;
    }>(
      `SELECT revision, encoding, depth, base_revision, value FROM ${SCHEMA}.versions
       WHERE key_id = $1 AND revision < $2 AND NOT deleted ORDER BY revision DESC LIMIT 1`,
      [keyId, revision],
    );
    if (rows.length === 0) return undefined;
    const row = rows[0];
    const value = await this.decodeStored(client, keyId, row.encoding, row.value, toNumber(row.base_revision), new Map());
    return { revision: Number(row.revision), value, depth: row.depth };
  }

  /** A stored value back, through its chain of bases (memo: revision → value already decoded for this key). */
  private async decodeStored(
    db: Queryable,
    keyId: string,
    encoding: ValueEncoding,
    bytes: Buffer,
    baseRevision: number | null,
    memo: Map<number, Buffer>,
  ): Promise<Buffer> {
    if (encoding !== ValueEncoding.DeflateWithBase || baseRevision === null) return decodeValue(encoding, bytes);
    let base = memo.get(baseRevision);
    base ??= this.latest.at(keyId, baseRevision)?.value;
    if (!base) {
      const { rows } = await db.query<{ encoding: ValueEncoding; base_revision: string | null; value: Buffer }>(
        `SELECT encoding, base_revision, value FROM ${SCHEMA}.versions WHERE key_id = $1 AND revision = $2`,
        [keyId, baseRevision],
      );
      if (rows.length === 0) throw new Error(`archived version ${baseRevision} of a key, needed to read a later one, is missing`);
      base = await this.decodeStored(db, keyId, rows[0].encoding, rows[0].value, toNumber(rows[0].base_revision), memo);
      memo.set(baseRevision, base);
    }
    return decodeValue(encoding, bytes, base);
  }

  private async toVersion(db: Queryable, keyId: string, key: Buffer, row: VersionRow, memo: Map<number, Buffer>): Promise<ArchivedVersion> {
    const revision = Number(row.revision);
    const value = row.deleted
      ? Buffer.alloc(0)
      : await this.decodeStored(db, keyId, row.encoding, row.value, toNumber(row.base_revision), memo);
    memo.set(revision, value);
    return {
      type: row.deleted ? "DELETE" : "PUT",
      key: Buffer.from(key),
      revision,
      createRevision: Number(row.create_revision),
      version: Number(row.version),
      lease: row.lease,
      value,
      arrivedAt: toNumber(row.arrived_at),
      fromBaseline: row.position === null,
    };
  }

  private async revisionRows(clusterId: number, from: number, to: number, limit: number | null): Promise<RevisionRow[]> {
    const { rows } = await this.pool.query<RevisionRow>(
      `SELECT ${VERSION_COLUMNS}, v.key_id, k.key, r.arrived_at FROM ${SCHEMA}.versions v
       JOIN ${SCHEMA}.keys k ON k.id = v.key_id
       LEFT JOIN ${SCHEMA}.revisions r ON r.cluster_id = v.cluster_id AND r.revision = v.revision
       WHERE v.cluster_id = $1 AND v.revision >= $2 AND v.revision <= $3
       ORDER BY v.revision, v.position NULLS FIRST LIMIT $4`,
      [clusterId, from, to, limit],
    );
    return rows;
  }

  private async listGaps(clusterId: number): Promise<ArchiveGap[]> {
    const { rows } = await this.pool.query<{ from_revision: string; to_revision: string; recorded_at: string }>(
      `SELECT from_revision, to_revision, recorded_at FROM ${SCHEMA}.gaps WHERE cluster_id = $1 ORDER BY from_revision`,
      [clusterId],
    );
    return rows.map((row) => ({ from: Number(row.from_revision), to: Number(row.to_revision), recordedAt: Number(row.recorded_at) }));
  }

  private async findCluster(name: string): Promise<number | undefined> {
    const known = this.clusterIds.get(name);
    if (known !== undefined) return known;
    const { rows } = await this.pool.query<{ id: number }>(`SELECT id FROM ${SCHEMA}.clusters WHERE name = $1`, [name]);
    if (rows[0]) this.clusterIds.set(name, rows[0].id);
    return rows[0]?.id;
  }

  private async ensureCluster(name: string): Promise<number> {
    const found = await this.findCluster(name);
    if (found !== undefined) return found;
    // Another replica may insert the same cluster at the same moment; the row is the same either way.
    await this.pool.query(`INSERT INTO ${SCHEMA}.clusters (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
    const id = await this.findCluster(name);
    if (id === undefined) throw new Error(`the archive could not register cluster "${name}"`);
    return id;
  }

  private async findKey(cluster: string, key: Buffer): Promise<string | undefined> {
    const clusterId = await this.findCluster(cluster);
    if (clusterId === undefined) return undefined;
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.keys WHERE cluster_id = $1 AND key = $2`, [
      clusterId,
      key,
    ]);
    return rows[0]?.id;
  }
}

function sessionKey(cluster: string, holder: string): string {
  return JSON.stringify([cluster, holder]);
}

async function endSession(session: LockSession): Promise<void> {
  session.alive = false;
  // Ending the session releases its advisory lock on the server.
  await session.client.end().catch(() => {});
}
