// GET /api/changes?prefix=P[&from=A][&to=B][&cursor=C][&limit=N][&type=PUT|DELETE][&contains=S][&manager=M]
// — every change under a prefix in a revision range, newest first, from etcd's event history and,
// where etcd has compacted it, from the archive (`readFrom` says which answered); from/to are
// revisions or RFC 3339 times (the last revision at or before each, `window` names them). With
// `manager`, only the changes that field manager made (read from metadata.managedFields). Each
// row carries the time its revision happened when the archive knows it. Access: the list right on
// something under the prefix (else a 403); only changes to keys the viewer may list are shown, and
// only where they may read does the summary say what a change changed (else created/updated/deleted).
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { limitParam, refuseFutureRevisions } from "@/lib/api/params";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { fillReplacedFromArchive, listArchivedChanges } from "@/lib/archive/archived-changes";
import { readRevisionTimes } from "@/lib/archive/revision-times";
import { openArchiveView } from "@/lib/archive/reach-back";
import { callEtcd } from "@/lib/etcd/call";
import { listChanges, type ChangeItem, type ChangesPage } from "@/lib/etcd/changes";
import { openClusterFor } from "@/lib/api/open-cluster";
import { presentReadFrom } from "@/lib/api/present-archive";
import { isChangeBy, presentChanges } from "@/lib/api/present-change";
import { managerSchema } from "@/lib/params";
import type { ChangesDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (request, access): Promise<ChangesDto> => {
  const query = await QueryParams.read(request);
  const prefix = query.keyOrEmpty("prefix");
  const from = await query.revisionOrTimeIn("from");
  const to = await query.revisionOrTimeIn("to");
  const cursor = query.revision("cursor");
  const limit = query.parsed("limit", limitParam(100, 1000));
  const type = query.parsed("type", z.enum(["PUT", "DELETE"]).optional());
  const contains = query.keyOrEmpty("contains");
  const manager = query.parsed("manager", managerSchema.optional());
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError("bad_request", `"from" (${from}) is after "to" (${to})`);
  }
  const { connection, cluster } = openClusterFor(query, access);
  access.requireSomeUnder(cluster, prefix, "list");
  const visible = access.keyFilter(cluster, prefix, "list");
  const readable = access.keyFilter(cluster, prefix, "read") ?? (() => true);
  const archive = await openArchiveView(cluster);
  // The manager filter reads values: a key the viewer may not read has no manager they may learn.
  const byManager = manager === undefined ? undefined : (item: ChangeItem) => readable(item.key) && isChangeBy(item, manager);
  const filters = { prefix, type, contains: contains.length ? contains : undefined, keep: byManager, visible };
  // The archive's part takes the visibility as part of `keep`.
  const archivedKeep =
    visible === undefined ? byManager : (item: ChangeItem) => visible(item.key) && (byManager === undefined || byManager(item));
  // etcd's part: listChanges reads from etcd's compaction revision at the oldest.
  const page: ChangesPage = await callEtcd(connection, () => listChanges(connection, { ...filters, from, to, cursor, limit }), {
    revision: from,
  });
  // A replay from a revision etcd has not reached finds nothing; say so instead of an empty page.
  refuseFutureRevisions(page.revision, { from, to, cursor });
  // An update whose replaced version etcd compacted says what it changed when the archive holds that version.
  if (archive) await fillReplacedFromArchive(archive.store, cluster, page.items);
  let source: "etcd" | "archive" | "etcd+archive" = "etcd";
  const lowest = Math.max(from ?? 1, archive?.coverage.firstRevision ?? Infinity);
  const below = Math.min(cursor ?? Infinity, to ?? Infinity, page.compactRevision - 1);
  if (archive && page.nextCursor === null && page.items.length >= limit && below >= lowest) {
    // This page is full with etcd's part; the next one goes on in the archive.
    page.nextCursor = below;
  } else if (archive && page.nextCursor === null && below >= lowest) {
    // etcd's part is done and etcd compacted what comes before: the archive goes on from there.
    const archived = await listArchivedChanges(archive.store, cluster, {
      ...filters,
      keep: archivedKeep,
      high: below,
      lowest,
      limit: limit - page.items.length,
    });
    source = page.scanned ? "etcd+archive" : "archive";
    page.items.push(...archived.items);
    page.nextCursor = archived.nextCursor;
    if (archived.scanned) page.scanned = { from: archived.scanned.from, to: page.scanned?.to ?? archived.scanned.to };
  }
  const times = await readRevisionTimes(
    cluster,
    page.items.map((item) => item.revision),
  );
  const body = presentChanges(page, times, readable);
  body.readFrom = presentReadFrom(source, archive);
  if (query.text("from") !== undefined || query.text("to") !== undefined)
    body.window = { from, to, ...([...query.resolvedTimes.values()].some((found) => found.estimated) ? { estimated: true } : {}) };
  return body;
});

// The same query in a POST body, for a prefix too long for a URL (see QueryParams.read).
export const POST = GET;
