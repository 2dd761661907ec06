// GET /api/keys?prefix=P[&rev=R | &at=T][&cursor=C][&limit=N][&contains=S] — the immediate children of one
// tree level; with contains, only those whose name contains S (read in bounded steps). A prefix
// without its trailing slash lists that folder when it has entries, and `listed` says so. At a
// revision etcd has compacted the level comes from the archive, and `readFrom` says which answered.
// Access: the list right on something under the prefix, else a 403. A level the rules show in part
// lists only the children they lead to (lib/etcd/visible-level.ts); a folder seen in part is marked
// `partial` and counts only the keys the viewer may see.
import { readRefusingFuture } from "@/lib/api/future-revision";
import { limitParam } from "@/lib/api/params";
import { presentReadFrom } from "@/lib/api/present-archive";
import { presentChildren } from "@/lib/api/present-children";
import { apiRoute, QueryParams } from "@/lib/api/route";
import { isCompactedRefusal, keyExistsInArchive, listChildrenFromArchive, type ArchivedPage } from "@/lib/archive/archived-level";
import { callEtcd } from "@/lib/etcd/call";
import { openClusterFor } from "@/lib/api/open-cluster";
import { filterChildren } from "@/lib/etcd/filter-children";
import { anyKeyUnder, countFoldersAt, listChildren } from "@/lib/etcd/list-children";
import { listVisibleLevel } from "@/lib/etcd/visible-level";
import { range } from "@/lib/etcd/kv";
import type { ChildrenPage, ListChildrenRequest } from "@/lib/etcd/tree-level";
import { AppError } from "@/lib/errors";
import { childLevel } from "@/lib/keys";
import type { ChildrenDto } from "@/lib/api/dto";

export const dynamic = "force-dynamic";

const SLASH = 0x2f;

export const GET = apiRoute(async (request, access): Promise<ChildrenDto> => {
  const query = await QueryParams.read(request);
  const asked = query.keyOrEmpty("prefix");
  const revision = await query.revisionOrTime("rev", "at");
  const limit = query.parsed("limit", limitParam(200, 1000));
  const cursor = query.cursor("cursor");
  const { connection, cluster } = openClusterFor(query, access);
  const contains = query.keyOrEmpty("contains");
  // Etcd answers unless it refused the revision as compacted; then the archive answers the rest.
  const from: { refusal?: AppError; archive?: ArchivedPage["archive"] } = {};
  const levelPage = async (page: ListChildrenRequest): Promise<ChildrenPage> => {
    if (!from.refusal) return listChildren(connection, page);
    const answer = await listChildrenFromArchive(cluster, { ...page, revision: revision! }, from.refusal);
    from.archive = answer.archive;
    return answer.page;
  };
  const readLevel = (prefix: Uint8Array) => {
    const visibility = access.under(cluster, prefix, "list");
    if (visibility.kind === "some") {
      // etcd's helpers, while etcd answers; the archive's level answers alone (without counts).
      const helpers = from.refusal
        ? {}
        : {
            // Counts from the folder index, which knows etcd's current revision only.
            countFolders: (prefixes: Uint8Array[], at: number) => countFoldersAt(connection, prefixes, at),
            anyKeyUnder: (under: Uint8Array, at: number | undefined) => anyKeyUnder(connection, under, at),
          };
      return listVisibleLevel(levelPage, { prefix, revision, cursor, limit, contains }, visibility.prefixes, helpers);
    }
    return contains.length > 0
      ? filterChildren(connection, { prefix, revision, cursor, limit, contains }, levelPage)
      : levelPage({ prefix, revision, cursor, limit });
  };
  const fromEtcd = <T>(read: () => Promise<T>) =>
    readRefusingFuture(connection, { rev: revision }, () => callEtcd(connection, read, { revision }));
  const list = async (prefix: Uint8Array): Promise<ChildrenPage> => {
    if (from.refusal) return readLevel(prefix);
    try {
      return await fromEtcd(() => readLevel(prefix));
    } catch (error) {
      if (revision === undefined || !isCompactedRefusal(error)) throw error;
      from.refusal = error;
      return readLevel(prefix);
    }
  };
  const keyExists = async (key: Uint8Array): Promise<boolean> => {
    if (from.refusal) return keyExistsInArchive(cluster, key, revision!, from.refusal);
    return (await fromEtcd(() => range(connection, { key, revision, countOnly: true }))).count > 0;
  };
  // A level is named with its trailing slash: "/registry/pods" as a level holds nothing. When the
  // folder "/registry/pods/" has entries, that is what the user meant; list it and say so.
  // A folder the viewer may see nothing of is not tried: what it holds is not theirs to learn.
  const triable = asked.length > 0 && asked[asked.length - 1] !== SLASH ? childLevel(asked) : undefined;
  const folder = triable && access.under(cluster, triable, "list").kind !== "none" ? triable : undefined;
  if (!folder) access.requireSomeUnder(cluster, asked, "list");
  let page = folder ? await list(folder) : await list(asked);
  let listed: Parameters<typeof presentChildren>[1];
  if (folder && (page.items.length > 0 || page.indexing || cursor)) {
    listed = { asked, folder, keyExists: access.mayKey(cluster, asked, "list") && (await keyExists(asked)) };
  } else if (folder) {
    access.requireSomeUnder(cluster, asked, "list");
    page = await list(asked);
  }
  const dto = presentChildren(page, listed);
  if (from.archive) return { ...dto, readFrom: presentReadFrom("archive", from.archive) };
  return revision === undefined ? dto : { ...dto, readFrom: presentReadFrom("etcd", null) };
});

// The same query in a POST body, for keys too long for a URL (see QueryParams.read).
export const POST = GET;
