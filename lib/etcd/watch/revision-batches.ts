import "server-only";
import type { IEvent } from "etcd3";

// etcd sends a watch response per batch of revisions, every event of one revision in the same
// response, except that a revision larger than the server's request limit (--max-request-bytes,
// 1.5 MiB by default) is split into several responses when the watch asked for fragments: all but
// the last carry `fragment: true`. A consumer that acted on a fragment would see half a
// transaction; these helpers put responses back together and cut them into whole revisions.

export type RevisionBatch = { revision: number; events: IEvent[] };

/** Collects fragments until the response that completes them. */
export class FragmentAssembler {
  private pending: IEvent[] = [];
  /** How many fragmented responses were put back together (for stats and tests). */
  reassembled = 0;

  /** The events of a complete response, or null while fragments are still arriving. */
  add(response: { events?: IEvent[]; fragment?: boolean }): IEvent[] | null {
    const events = response.events ?? [];
    if (response.fragment) {
      this.pending = this.pending.concat(events);
      return null;
    }
    if (this.pending.length === 0) return events;
    const whole = this.pending.concat(events);
    this.pending = [];
    this.reassembled += 1;
    return whole;
  }

  get pendingEvents(): number {
    return this.pending.length;
  }
}

/** Consecutive events of one revision become one batch; batches keep etcd's (ascending) order. */
export function groupByRevision(events: readonly IEvent[]): RevisionBatch[] {
  const batches: RevisionBatch[] = [];
  for (const event of events) {
    const revision = Number(event.kv.mod_revision);
    const last = batches[batches.length - 1];
    if (last && last.revision === revision) last.events.push(event);
    else batches.push({ revision, events: [event] });
  }
  return batches;
}
