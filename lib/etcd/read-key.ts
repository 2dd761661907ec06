import "server-only";
import { AppError } from "@/lib/errors";
import { keyToDisplay } from "@/lib/keys";
import type { ClusterConnection } from "./client";
import { range, type KeyValue, type ResponseHeader } from "./kv";

export type KeyRead = { header: ResponseHeader; kv: KeyValue };

/** One key with its value, at a revision or the current one; throws not_found when absent. */
export async function readKeyAtOrThrow(connection: ClusterConnection, key: Uint8Array, revision?: number): Promise<KeyRead> {
  const result = await range(connection, { key, revision });
  const kv = result.kvs[0];
  if (!kv) {
    const at = revision ? `at revision ${revision}` : `at the current revision ${result.header.revision}`;
    throw new AppError("not_found", `no key ${keyToDisplay(key)} ${at}`, { currentRevision: result.header.revision });
  }
  return { header: result.header, kv };
}
