import "server-only";
import type { IEvent, IWatchResponse } from "etcd3";
import { bytesFromText, prefixRangeEnd } from "@/lib/keys";
import type { ClusterConnection } from "./client";

// The raw etcd watch stream, shared by the watch hub and its catch-up replays. The raw stream is
// used instead of etcd3's Watcher because the Watcher resumes from the store's current revision
// after a reconnect (skipping events) and never reports compact_revision.

export type RawWatchStream = Awaited<ReturnType<ClusterConnection["client"]["watchClient"]["watch"]>>;

/** One change, without its value: what the watch API sends and the hub keeps in memory. */
export type WatchChange = {
  revision: number;
  type: "PUT" | "DELETE";
  /** Copied out of the response buffer, so a kept change does not pin the values around it. */
  key: Buffer;
  version: number;
  createRevision: number;
  modRevision: number;
};

/** [key, rangeEnd) for a prefix; the empty prefix is the whole keyspace. */
export function rangeOfPrefix(prefix: Uint8Array): { key: Buffer; rangeEnd: Buffer } {
  if (prefix.length === 0) return { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) };
  return { key: Buffer.from(prefix), rangeEnd: Buffer.from(prefixRangeEnd(prefix)) };
}

export const WHOLE_KEYSPACE = rangeOfPrefix(bytesFromText(""));

export function toWatchChange(event: IEvent): WatchChange {
  const revision = Number(event.kv.mod_revision);
  return {
    revision,
    type: event.type === "Delete" ? "DELETE" : "PUT",
    key: Buffer.from(event.kv.key),
    version: Number(event.kv.version ?? 0),
    createRevision: Number(event.kv.create_revision ?? 0),
    modRevision: revision,
  };
}

/** The compaction revision a watch response reports, 0 when none. */
export function compactRevisionOf(response: IWatchResponse): number {
  return Number(response.compact_revision ?? 0);
}

/**
 * Opens a raw watch stream on the endpoint at `attempt` (mod the endpoint count), and returns the
 * client it is on, for other calls to the same member. etcd3 opens a stream on a dead host without
 * noticing, so callers rotate `attempt` when a stream fails and treat a stream that never answers
 * as failed.
 */
export async function openRawWatchStream(
  connection: ClusterConnection,
  attempt: number,
): Promise<{ stream: RawWatchStream; endpoint: string; client: ClusterConnection["client"] }> {
  const endpoints = connection.settings.endpoints;
  const endpoint = endpoints[attempt % endpoints.length];
  const client = endpoints.length === 1 ? connection.client : connection.forEndpoint(endpoint);
  return { stream: await client.watchClient.watch(), endpoint, client };
}

export function cancelQuietly(stream: RawWatchStream): void {
  try {
    // An error after cancel (the server may already have gone) is expected and not interesting.
    stream.on("error", () => undefined);
    stream.cancel();
  } catch {
    // Already closed: nothing to release.
  }
}
