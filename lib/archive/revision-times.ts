import "server-only";
import { getServerSettings } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getArchiveStore } from "./service";
import type { RevisionTime } from "./store";

// Wall-clock times of revisions, which etcd does not keep: the archive's. A revision the recorder
// saw arrive has its exact time; older ones (its baseline, etcd's retained history) an estimate
// from the clocks in their values (clock-hints.ts), marked as such. The one place views ask.

export type RevisionAtTime = { revision: number; estimated: boolean };

/** The name the archive keeps a cluster under, as its recorder does: the first configured one when a request names none. */
export function archiveNameOf(requested: string | undefined): string {
  return requested || getServerSettings().clusters[0].name;
}

function describeTime(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

/**
 * The last revision at or before `timeMs` (`at=`): by the recorder's arrival times first, else by
 * the estimates. Throws a bad_request when the archive is off and a not_found when it knows no
 * revision that early.
 */
export async function findRevisionAtTime(cluster: string, timeMs: number, name = "at"): Promise<RevisionAtTime> {
  const store = await getArchiveStore().catch(() => {
    throw new AppError("etcd_unavailable", `"${name}": the archive cannot be read now, and etcd keeps no times`);
  });
  if (!store) throw new AppError("bad_request", `"${name}" needs the archive, which is off (ETCDLENS_ARCHIVE=off): etcd keeps no times`);
  const [exact, estimated] = await Promise.all([store.revisionAtTime(cluster, timeMs), store.revisionAtEstimatedTime(cluster, timeMs)]);
  // An estimate later than the last exact arrival only after a gap's fresh baseline: the estimate then is the later truth.
  if (exact !== null && (estimated === null || estimated <= exact)) return { revision: exact, estimated: false };
  if (estimated !== null) return { revision: estimated, estimated: true };
  const coverage = await store.coverage(cluster);
  const since =
    coverage.recordingSince === null ? "has recorded nothing yet" : `has recorded since ${describeTime(coverage.recordingSince)}`;
  throw new AppError("not_found", `"${name}": the archive knows no revision at or before ${describeTime(timeMs)} (it ${since})`);
}

/** When each revision happened, as far as the archive tells; an empty map when it is off or cannot be read (times are extra). */
export async function readRevisionTimes(cluster: string, revisions: readonly number[]): Promise<Map<number, RevisionTime>> {
  const wanted = [...new Set(revisions.filter((revision) => revision > 0))];
  if (wanted.length === 0) return new Map();
  try {
    const store = await getArchiveStore();
    return store ? await store.timesOf(cluster, wanted) : new Map();
  } catch {
    return new Map();
  }
}
