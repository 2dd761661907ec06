// One side of a comparison as the URL writes it: CLUSTER[@REV]. Cluster names may hold ":"
// ("snapshot:backup.db") and "@": the revision is what follows the last "@" when it is all digits,
// so a name that itself ends in "@" and digits is written with one more "@" and no revision
// ("db@2@" is cluster "db@2" at its current revision).

export type CompareSide = { cluster: string; revision?: number };

export function parseCompareSide(text: string): { ok: true; side: CompareSide } | { ok: false; message: string } {
  const at = text.lastIndexOf("@");
  if (at < 0) return text === "" ? { ok: false, message: "names no cluster" } : { ok: true, side: { cluster: text } };
  const cluster = text.slice(0, at);
  const revision = text.slice(at + 1);
  if (revision === "") return cluster === "" ? { ok: false, message: "names no cluster" } : { ok: true, side: { cluster } };
  if (!/^\d+$/.test(revision)) return { ok: true, side: { cluster: text } };
  const number = Number(revision);
  if (!Number.isSafeInteger(number) || number < 1) return { ok: false, message: `revision ${revision} is not a revision (1 or more)` };
  if (cluster === "") return { ok: false, message: "names no cluster before the @" };
  return { ok: true, side: { cluster, revision: number } };
}

/** The side as parseCompareSide reads it back. */
export function formatCompareSide(side: CompareSide): string {
  if (side.revision !== undefined) return `${side.cluster}@${side.revision}`;
  return /@\d+$/.test(side.cluster) || side.cluster.endsWith("@") ? `${side.cluster}@` : side.cluster;
}
