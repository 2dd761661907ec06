import "server-only";
import { AppError } from "@/lib/errors";
import type { ClusterConnection } from "./client";
import { explainEtcdError, isCompactedError } from "./errors";
import { getCompactRevision } from "./watch";

/**
 * Runs etcd work and turns any failure into an AppError. A compacted revision is answered with
 * the compaction revision, which etcd's range error does not carry and has to be asked for.
 */
export async function callEtcd<T>(connection: ClusterConnection, work: () => Promise<T>, requested?: { revision?: number }): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCompactedError(error)) {
      // Fresh: a value cached before this compaction would name a revision that is gone.
      const compactRevision = await getCompactRevision(connection, { fresh: true }).catch(() => undefined);
      const what = requested?.revision ? `revision ${requested.revision}` : "that revision";
      const oldest = compactRevision ? `; the oldest revision still available is ${compactRevision}` : "";
      throw new AppError("compacted", `${what} has been compacted${oldest}`, { compactRevision });
    }
    throw await explainEtcdError(error, connection);
  }
}
