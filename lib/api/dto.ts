// Wire types of the JSON API, shared by the route handlers and the browser. Keys travel twice:
// `key` is display text (UTF-8 where valid, escapes elsewhere), `keyBase64` the exact bytes.
// Revisions are JSON numbers; cluster, member and lease IDs are decimal strings (uint64).

import type { DecodedValue, JsonValue } from "@/lib/decode/types";
import type { ManagerChange, ManagerRef } from "@/lib/diff/managers";
import type { Alarm, EndpointStatus, Member } from "@/lib/etcd/cluster-types";
import type { Cell, KindCount, TableClock } from "@/lib/kube-table/types";

export type ChildDto = {
  name: string;
  key: string;
  keyBase64: string;
  isKey: boolean;
  hasChildren: boolean;
  /** Keys below this folder; only at the current revision, where the folder index knows it. */
  keyCount?: number;
  /**
   * Only part of this folder is visible to the viewer (access rules): keyCount, when given, counts
   * only the keys they may see, so the folder holds at least that many.
   */
  partial?: true;
};

export type ChildrenDto = {
  revision: number;
  items: ChildDto[];
  nextCursor: string | null;
  /** Present while the folder index is first being built: no items yet; ask again shortly. */
  indexing?: { keysScanned: number; startedAt: number };
  /** Present when the level listed is not the prefix asked for (it lacked its trailing slash). */
  listed?: { prefix: string; prefixBase64: string; message: string };
  /** At a revision (rev=): etcd, or the archive when etcd has compacted it. */
  readFrom?: ReadFromDto;
};

export type KeyValueDto = {
  key: string;
  keyBase64: string;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string;
  size: number;
};

export type RawPreviewDto = {
  /** The first bytes of the value, base64; all of it when `truncated` is false. */
  base64: string;
  truncated: boolean;
};

export type KeyDto = {
  revision: number;
  kv: KeyValueDto;
  value: DecodedValue;
  raw: RawPreviewDto;
  /** Whether this viewer may reveal masked Secret values on request (ETCDLENS_REVEAL_SECRETS without sign-in, the rules with it). */
  revealAllowed: boolean;
  /** When not: what would allow it, in a sentence for the page (the server setting, or a rule). */
  revealRefusal?: string;
  /** When the value was written (its modRevision, by the archive's clock); absent when the archive cannot tell. */
  modRevisionTime?: RevisionTimeDto;
  /** etcd, or the archive when etcd has compacted the revision. */
  readFrom: ReadFromDto;
};

export type SecretValueDto = {
  path: string[];
  /** As the API prints it: base64 for `data`, text for `stringData`. */
  value: string;
  encoding: "base64" | "text";
  /** The decoded text when the bytes are printable UTF-8. */
  text?: string;
};

/** A field manager of a Kubernetes object (metadata.managedFields): `kubectl`, `Update`, `scale`. */
export type ManagerRefDto = ManagerRef;

/**
 * A field manager that made a change: its managedFields entry is new, its time moved or its set
 * grew. `fields` are the fields it touched, at most two names deep (`spec.replicas`); names only.
 */
export type ManagerChangeDto = ManagerChange;

export type HistoryItemDto = {
  revision: number;
  type: "PUT" | "DELETE";
  version: number;
  createRevision: number;
  size: number;
  lease: string;
  /** The create revision of the lifecycle (create → updates → delete) the entry belongs to. */
  lifecycle: number;
  /** On a create: whether the key existed before (absent when unknown until the next page). */
  recreated?: boolean;
  /** On a re-created Kubernetes object: whether metadata.uid changed. */
  uidChanged?: boolean;
  /** What the entry changed against the previous version (`spec.replicas: 2 → 5`); null when unknown. */
  summary: string | null;
  /** For a Kubernetes object with managedFields: who made the change (on a create: the managers present). */
  managers?: ManagerChangeDto[];
  /**
   * The revision to open the version at (`?rev=`): its own (from etcd or the archive), or etcd's
   * compaction revision when its own is compacted, not archived, but the key still held it then;
   * null when neither has it at any revision.
   */
  openRevision: number | null;
  /** When the revision happened (RevisionTimeDto): RFC 3339, absent when the archive cannot tell. */
  time?: string;
  /** True when `time` is estimated from the clocks in Kubernetes values rather than seen arriving. */
  timeEstimated?: boolean;
};

export type HistoryDto = {
  revision: number;
  items: HistoryItemDto[];
  next: number | null;
  /** Present only when the key's history reaches back past the compaction: older versions are gone. */
  compactRevision?: number;
  /**
   * Revisions within this page's span (from its oldest entry, or from 1 on the last page, up to where
   * it began) that the archive never recorded: the key may have changed there. Absent when none.
   */
  gaps?: { from: number; to: number }[];
  /** etcd alone, the archive alone (a page past etcd's compaction), or both merged. */
  readFrom: ReadFromDto;
};

export type DiffSideDto = {
  /** The revision asked for. */
  revision: number;
  /** The key as it was at that revision; null when it did not exist then (an empty side). */
  kv: KeyValueDto | null;
  value: DecodedValue | null;
};

export type FieldChangeDto = {
  path: string;
  /** The path's segments: object keys as strings, array indexes as numbers. */
  segments: (string | number)[];
  kind: "added" | "removed" | "changed";
  old?: JsonValue;
  new?: JsonValue;
  /** A masked Secret value: only the fact that it changed is known, and its lengths in bytes. */
  masked?: true;
  oldLength?: number;
  newLength?: number;
  /** A field that changes on every write without meaning (see `noisePatterns`). */
  noise: boolean;
  /** For a Kubernetes object: the managers owning the field in the newer version (absent when none or removed). */
  owners?: ManagerRefDto[];
};

export type DiffDto = {
  revision: number;
  key: string;
  keyBase64: string;
  from: DiffSideDto;
  to: DiffSideDto;
  changes: FieldChangeDto[];
  /** The patterns `noise` was judged by. */
  noisePatterns: string[];
  /** For values without text (binary): what differs in the bytes. */
  /** For a Secret, only equal and the sizes are said (firstDifference and differingBytes are null). */
  bytes?: { oldSize: number; newSize: number; equal: boolean; firstDifference: number | null; differingBytes: number | null };
  /** Where the two sides were read: etcd, the archive (both compacted in etcd), or one from each. */
  readFrom: ReadFromDto;
};

export type ClusterHeaderDto = {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
};

// The cluster's members, endpoints and alarms travel as lib/etcd reads them: IDs already strings.
export type MemberDto = Member;
export type EndpointStatusDto = EndpointStatus;
export type AlarmDto = Alarm;

export type ClusterDto = ClusterHeaderDto & {
  members: MemberDto[];
  endpoints: EndpointStatusDto[];
  alarms: AlarmDto[];
  /** Revisions below this one are gone; 0 when nothing was compacted. */
  compactRevision: number;
  /** What the archive holds of this cluster, and what this replica's recorder is doing. */
  archive: ClusterArchiveDto;
};

/** This replica's recorder of a cluster; "off" when the archive or recording is off here. */
export type RecorderStateDto =
  | { state: "starting" }
  | { state: "standby" }
  | { state: "baseline"; revision: number }
  | { state: "recording"; lastRevision: number }
  | { state: "failing"; error: string }
  | { state: "off" };

export type ClusterArchiveDto = {
  /** Null when the archive is off or cannot be read (the recorder then says why). */
  coverage: ArchiveCoverageDto | null;
  recorder: RecorderStateDto;
};

export type HealthDto = {
  ok: true;
  etcd: { reachable: boolean; error?: string; revision?: number };
  /** Whether the audit trail is written: a trail that fails is said here, not only in the server log. */
  audit: AuditStatusDto;
};

export type LeaseDto = { id: string; grantedTtl: number; remainingTtl: number };

export type LeasesDto = { items: LeaseDto[]; total: number; nextCursor: number | null };

export type LeaseDetailDto = LeaseDto & {
  keys: { key: string; keyBase64: string }[];
  /** Attached keys the viewer may list (access rules); all of them with sign-in off. */
  totalKeys: number;
  /** Present when the lease holds keys the viewer may not list: not shown, not counted. */
  someHidden?: true;
  nextCursor: number | null;
};

export type ChangeDto = {
  revision: number;
  key: string;
  keyBase64: string;
  type: "PUT" | "DELETE";
  version: number;
  /**
   * What the change did, as history says it: "created", "deleted", or an update's fields
   * (`spec.replicas: 2 → 5`); null when that cannot be said (a value without structure, or the
   * replaced version is compacted). Secret values are masked.
   */
  summary: string | null;
  /** For a Kubernetes object with managedFields: who made the change, as in history. */
  managers?: ManagerChangeDto[];
  /** When the revision happened (RFC 3339), as in history; absent when the archive cannot tell. */
  time?: string;
  timeEstimated?: boolean;
};

export type ChangesDto = {
  revision: number;
  items: ChangeDto[];
  nextCursor: number | null;
  compactRevision: number;
  scanned: { from: number; to: number } | null;
  /** etcd alone, the archive alone (a window etcd has compacted), or both. */
  readFrom?: ReadFromDto;
  /** The revisions `from`/`to` given as times stood for (the last revision at or before each). */
  window?: {
    from?: number;
    to?: number;
    /** True when a time was placed by estimate (before the recorder saw revisions arrive). */
    estimated?: boolean;
  };
};

/** One key deleted in the range of GET /api/deleted, with the version the deletion removed. */
export type DeletedItemDto = {
  key: string;
  keyBase64: string;
  /** The revision of the DELETE; the last value is the key at deletedAt − 1. */
  deletedAt: number;
  /** When the deletion happened (RevisionTimeDto), when the archive knows. */
  time?: string;
  timeEstimated?: boolean;
  /** The mod revision of the removed version; null when neither etcd nor the archive still holds it. */
  lastRevision: number | null;
  /** Where the removed version was read. */
  lastFrom: "etcd" | "archive" | null;
  /** The removed version's lease: a deletion of a leased key may be the lease's expiry (etcd does not say which). */
  lease?: string;
  /** The removed version decoded (Secret values masked); absent when the viewer may not read the key or it is gone. */
  value?: DecodedValue;
  kind?: string;
  namespace?: string;
  name?: string;
  /** Whether the key exists again at the current revision (deleted, then re-created). */
  existsNow: boolean;
  summary: string;
};

export type DeletedDto = {
  revision: number;
  compactRevision: number;
  items: DeletedItemDto[];
  /** The cursor for the next page (older deletions); null when the range is done. */
  next: number | null;
  readFrom: ReadFromDto;
  window?: { from?: number; to?: number; estimated?: boolean };
};

/**
 * One change on GET /api/watch (an SSE `change` event whose id is `revision`). Several changes
 * share a revision when one transaction made them; they are sent together.
 */
export type WatchEventDto = {
  revision: number;
  type: "PUT" | "DELETE";
  key: string;
  keyBase64: string;
  /** 0 for a DELETE, as etcd reports it. */
  version: number;
  createRevision: number;
  modRevision: number;
};

/** The other events on GET /api/watch: `ready`, `progress`, `compacted`, `reset`. */
export type WatchControlDto =
  | { event: "ready"; revision: number }
  | { event: "progress"; revision: number }
  | { event: "compacted"; compactRevision: number; revision: number }
  | { event: "reset"; reason: string; revision: number }
  /** The server's watch of etcd is down and retried in `retryInMs`; nothing is lost meanwhile. */
  | { event: "reconnecting"; reason: string; retryInMs: number }
  /** The server's watch of etcd is back. */
  | { event: "live"; revision: number };

export type ClustersDto = { clusters: { name: string; defaultPrefix?: string }[] };

/**
 * GET /api/table: one page of a folder as a kubectl table. `resource` is set when every entry on
 * the page is an object of one resource (group and kind); otherwise it is null, `columns` and
 * `rows` are empty and `found` says what the page holds. Time cells carry instants (epoch ms) and
 * `clock` the time they are counted from (see lib/kube-table).
 */
export type TableDto = {
  revision: number;
  resource: { group: string; kind: string; apiVersions: string[] } | null;
  found?: KindCount[];
  columns: string[];
  rows: { key: string; keyBase64: string; name: string; cells: Cell[] }[];
  clock: TableClock;
  nextCursor: string | null;
  indexing?: { keysScanned: number; startedAt: number };
};

/** What the archive holds of a cluster, as views name it ("recorded since …"). */
export type ArchiveCoverageDto = {
  engine: string;
  /** RFC 3339; null when the archive has never recorded this cluster. */
  recordingSince: string | null;
  /** Every revision from this one on is held, except inside gaps; null before anything is recorded. */
  firstRevision: number | null;
  lastRevision: number;
  gaps: { from: number; to: number }[];
};

/**
 * Where a view read from: etcd alone, the archive alone (etcd compacted the revision), or both
 * merged (a history reaching back past etcd's compaction). `archive` is absent when it is off.
 */
export type ReadFromDto = {
  source: "etcd" | "archive" | "etcd+archive";
  archive?: ArchiveCoverageDto;
  /**
   * Set when the archive is on but its configuration (ETCDLENS_CONFIG clusters[].archive) leaves
   * this key out: why, e.g. "excluded by configuration (/registry/events/)". Its history is etcd's alone.
   */
  notArchived?: string;
  /**
   * Set when the archive is on but could not be read for this answer (PostgreSQL down, say): what
   * is shown is etcd's alone and may stop at its compaction. Details stay in the server's log.
   */
  archiveUnavailable?: string;
};

/** When a revision happened: exact when the recorder saw it arrive, estimated ("≈") otherwise. */
export type RevisionTimeDto = {
  /** RFC 3339 with milliseconds; absent when nothing tells. */
  time?: string;
  timeEstimated?: boolean;
};

/** One entry of the audit trail, as its JSON line says it, with the bytes of its key or prefix and its place. */
export type AuditEntryDto = {
  /** Its place in the archive (a string: an int64), the `before` of the page after it. */
  id: string;
  /** ISO 8601. */
  time: string;
  user: string;
  groups: string[];
  /** How the user signed in: none (loopback, sign-in off), oidc, proxy or token. */
  via: string;
  action: string;
  outcome: string;
  cluster?: string;
  /** Display form (lib/keys.ts keyToDisplay) and exact bytes. */
  key?: string;
  keyBase64?: string;
  prefix?: string;
  prefixBase64?: string;
  revision?: number;
  field?: string[];
  reason?: string;
  remoteAddress?: string;
};

/** Whether audit lines are written: to ETCDLENS_AUDIT_LOG, and into the archive. */
export type AuditStatusDto = {
  log:
    | { target: "off"; state: "off" }
    | { target: "stdout" | "file"; state: "writing" }
    | { target: "stdout" | "file"; state: "failing"; error: string; lost: number };
  archive: { state: "off" } | { state: "writing"; pending: number } | { state: "failing"; error: string; pending: number; lost: number };
};

export type AuditPageDto = {
  entries: AuditEntryDto[];
  /** Pass as `before` for the next (older) page; null on the last. */
  nextBefore: string | null;
  /** False when the archive is off: the trail is then only in ETCDLENS_AUDIT_LOG, and this page is empty. */
  archived: boolean;
  status: AuditStatusDto;
};

/** GET /api/me: who the dashboard takes the browser for; signOut when a session cookie can be ended. */
export type MeDto = {
  user: string;
  groups: string[];
  via: "none" | "oidc" | "proxy" | "token";
  signOut: boolean;
  /** Sign-in is off on a non-loopback address (ETCDLENS_AUTH=none-i-know): the header says so. */
  noSignIn: boolean;
};

/** One key GET /api/search found: `revision` is its modRevision at the searched revision; `field` where it matched ("key" for its name) and `snippet` the text there. */
export type SearchHitDto = {
  key: string;
  keyBase64: string;
  revision: number;
  createRevision: number;
  version: number;
  field: string;
  snippet: string;
};

/** GET /api/search: one page of matches; `scanned` of `total` keys read so far at `revision`; pass `next` as `cursor` for the following page. */
export type SearchPageDto = {
  revision: number;
  items: SearchHitDto[];
  scanned: number;
  total: number;
  next: string | null;
};

/** GET /api/search?stream=1: one NDJSON line; "start" first, then hits and progress as they come, then "end" (or "error"). */
export type SearchStreamLineDto =
  | { type: "start"; revision: number; total: number; scanned: number }
  | { type: "hit"; item: SearchHitDto }
  | { type: "progress"; scanned: number; total: number }
  | { type: "end"; revision: number; scanned: number; total: number; next: string | null }
  | { type: "error"; error: { code: string; message: string } };

/** Space and churn of one folder: keys below it, bytes of their current values (keys not counted), writes per minute. */
export type FolderFiguresDto = {
  keys: number;
  bytes: number;
  /** Writes (PUTs and DELETEs) in the last minute. */
  writesPerMinute: number;
  /** Writes per minute over the last 10 and 60 minutes. */
  writesPerMinute10: number;
  writesPerMinute60: number;
};

/** One child of a level in GET /api/stats. Figures are null for a child seen in part (`partial`); write rates are per folder, so null for a direct key. */
export type StatsItemDto = {
  name: string;
  key: string;
  keyBase64: string;
  isKey: boolean;
  isFolder: boolean;
  keys: number | null;
  bytes: number | null;
  writesPerMinute: number | null;
  writesPerMinute10: number | null;
  writesPerMinute60: number | null;
  partial?: true;
};

/** The folder index's sizing pass: bytes are exact once `state` is "ready"; until then `sized` of `total` keys count. */
export type SizingDto = { state: "waiting" | "sizing" | "ready"; sized: number; total: number; revision: number; sizedInMs: number };

/** GET /api/stats: the children of a level with their space and churn; `indexing` while the folder index is built (no items yet). */
export type StatsDto = {
  revision: number;
  prefix: string;
  items: StatsItemDto[];
  nextCursor: string | null;
  /** The level itself and the whole keyspace (null when the viewer sees only part of them). */
  level: FolderFiguresDto | null;
  keyspace: FolderFiguresDto | null;
  /** With `sort`: the largest values under the prefix, largest first. */
  largestKeys?: { key: string; keyBase64: string; bytes: number }[];
  sizing: SizingDto;
  indexing?: { keysScanned: number; startedAt: number };
};

/** One member's figures on the Insights page: its endpoint status and what an operator reads off it. */
export type InsightsMemberDto = EndpointStatusDto & {
  /** The quota the size is held against: the config file's quotaBackendBytes, else etcd's default 2 GiB. */
  quotaBytes?: number;
  /** dbSize / quotaBytes (over 1 once past it). */
  quotaShare?: number;
  /** dbSize - dbSizeInUse; null when this etcd does not report the size in use. */
  reclaimableBytes?: number | null;
  /** "defragmenting would reclaim 12.3 MB", or why it is not known. */
  reclaim?: string;
  /** raftIndex - raftAppliedIndex; null when this etcd does not report the applied index. */
  applyLag?: number | null;
};

/** GET /api/insights/etcd: etcd's own figures per member, and its alarms (NOSPACE, CORRUPT), listed never disarmed. */
export type InsightsEtcdDto = {
  members: InsightsMemberDto[];
  alarms: AlarmDto[];
  quotaBytes: number;
  /** Where quotaBytes comes from: etcd does not report --quota-backend-bytes in its status. */
  quotaSource: "config" | "default";
};

export type WriterRankDto = { label: string; writes: number; writesPerMinute: number };

/** GET /api/insights/writers: the busiest writers from the live watch, over the last minutes. */
export type InsightsWritersDto = {
  sinceMs: number;
  minutes: number;
  totalWrites: number;
  prefixes: WriterRankDto[];
  /** Null when the viewer may not see all of the prefixes holding the Kubernetes objects counted. */
  kubernetes: { kinds: WriterRankDto[]; namespaces: WriterRankDto[]; managers: WriterRankDto[] } | null;
  /** Prefixes left out because the viewer sees only part of them (or nothing). */
  hiddenPrefixes: number;
};

export type GrowthSeriesDto = {
  folder: string;
  folderBase64: string;
  writesPerMinute: number[];
  bytes: number[];
  totalWrites: number;
  totalBytes: number;
};

/** GET /api/insights/growth: writes/min and archived bytes per folder under `prefix`, per time bucket, from the archive. */
export type InsightsGrowthDto =
  | { archive: "off"; message: string }
  | {
      archive: "on";
      range: "24h" | "7d";
      prefix: string;
      bucketMs: number;
      bucketStarts: number[];
      series: GrowthSeriesDto[];
      /** Folders left out because the viewer sees only part of them (or nothing). */
      hiddenFolders: number;
      /** True when the store's row cap cut the answer (more buckets × folders than it returns). */
      truncated: boolean;
    };
