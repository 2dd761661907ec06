import "server-only";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { refuseFutureRevisions } from "./params";

// etcd refuses a range at a revision it has not reached, but neither its error nor etcd3's says
// which revision it is at; a watch from such a revision just waits. Both are answered here with
// the same future_revision error that names the current revision.

/** Runs a read at the requested revisions, answering etcd's future-revision refusal the common way. */
export async function readRefusingFuture<T>(
  connection: ClusterConnection,
  revisions: Record<string, number | undefined>,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "future_revision") throw error;
    const header = await getClusterHeader(connection).catch(() => undefined);
    if (header) refuseFutureRevisions(header.revision, revisions);
    throw error;
  }
}

/** Refuses revisions above the current one before anything waits for them (a watch, a replay). */
export async function refuseFutureRevisionsNow(
  connection: ClusterConnection,
  revisions: Record<string, number | undefined>,
): Promise<void> {
  if (Object.values(revisions).every((revision) => revision === undefined)) return;
  refuseFutureRevisions((await getClusterHeader(connection)).revision, revisions);
}
