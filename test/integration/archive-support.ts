import type { ArchivedEvent, ArchiveStore } from "@/lib/archive/store";
import type { ClusterConnection } from "@/lib/etcd/client";
import { readCurrentRevision, replayRevisions, WHOLE_KEYSPACE } from "@/lib/etcd/watch";

// Shared by the archive recorder's fault tests: the archive must equal, event for event, what
// etcd's own watch returns for the same revisions, so both are turned into the same lines.

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type EventFields = Pick<ArchivedEvent, "type" | "revision" | "key" | "createRevision" | "version" | "lease" | "value">;

/** An event as one line: what must be equal between etcd and the archive. */
export function describeEvent(event: EventFields): string {
  const head = `${event.revision} ${event.type} ${event.key.toString("hex")}`;
  if (event.type === "DELETE") return head;
  return `${head} c${event.createRevision} v${event.version} l${event.lease} ${event.value.toString("hex")}`;
}

/** What etcd's own watch returns for revisions from..through (it must still hold them). */
export async function etcdSequence(connection: ClusterConnection, from: number, through: number): Promise<string[]> {
  const result = await replayRevisions(connection, {
    range: WHOLE_KEYSPACE,
    fromRevision: from,
    through,
    maxEvents: 1_000_000,
    maxBytes: 256 * 1024 * 1024,
    timeoutMs: 15_000,
  });
  if (result.kind !== "events") throw new Error(`etcd's watch from ${from} answered ${result.kind}`);
  return result.events.map((event) => describeEvent({ ...event.kv, type: event.type, revision: event.revision }));
}

/** What the archive holds for revisions from..through, in the same lines. */
export async function archiveSequence(store: ArchiveStore, cluster: string, from: number, through: number): Promise<string[]> {
  const revisions = await store.readRevisions(cluster, { from, to: through, limit: 1_000_000 });
  return revisions.flatMap((revision) => revision.events.map(describeEvent));
}

/** Waits until the archive holds etcd's current revision; returns it. */
export async function waitUntilRecorded(
  store: ArchiveStore,
  cluster: string,
  connection: ClusterConnection,
  timeoutMs = 30_000,
): Promise<number> {
  const current = await readCurrentRevision(connection);
  await waitFor(`the archive holds revision ${current}`, async () => (await store.lastRecordedRevision(cluster)) >= current, timeoutMs);
  return current;
}
