import { concatBytes, prefixRangeEnd } from "@/lib/keys";
import type { ArchiveCoverage, ArchivedLevel, ArchivedLevelEntry, LevelQuery } from "./store";

// One level of the archived keyspace at a revision, by skip-scan: each step asks the engine for a
// run of keys from a position that were alive at the revision (their newest version at or below
// it a PUT), names the children they belong to, and after a folder seeks past its whole subtree
// ("name/" is followed by "name0"), so a level of 50 folders over a million keys costs about 50
// index seeks, not a million rows. Keys that did not exist then (created later, or deleted by
// then) are stepped over inside the engine's query. A run of leaf keys comes back in one query,
// growing while the level holds leaves and back to one key after a folder, whose subtree it would
// otherwise read for nothing.

const SLASH = 0x2f;
const ZERO_CHAR = 0x30;
const FIRST_RUN = 16;
const MAX_RUN = 1_000;

/**
 * Up to `limit` keys in [from, end) alive at the query's revision, in key order; `end` null is the
 * keyspace's end. The engine's one primitive: an index seek on (cluster, key) reading each passed
 * key's newest version at or below the revision.
 */
export type LiveKeys = (from: Buffer, end: Buffer | null, limit: number) => Promise<Buffer[]>;

const after = (key: Buffer, byte: number) => Buffer.from(concatBytes(key, Uint8Array.of(byte)));

/** The end of a prefix's keys; null when that is the keyspace's end (the empty prefix, or one of 0xff bytes only). */
function endOf(prefix: Buffer): Buffer | null {
  return prefix.every((byte) => byte === 0xff) ? null : Buffer.from(prefixRangeEnd(prefix));
}

export async function listLevelBySkipScan(liveKeys: LiveKeys, query: LevelQuery): Promise<ArchivedLevel> {
  const { prefix, limit } = query;
  const end = endOf(prefix);
  const pageStart = query.cursor && Buffer.compare(query.cursor, prefix) > 0 ? query.cursor : prefix;
  let start = pageStart;
  const items: ArchivedLevelEntry[] = [];
  // Leaves listed by this call, by their bytes: a folder of the same name is dropped.
  const listedLeaves = new Set<string>();
  let run = FIRST_RUN;
  while (items.length < limit) {
    const keys = await liveKeys(start, end, run);
    if (keys.length === 0) return { items, nextCursor: null };
    const whole = keys.length < run;
    let metFolder = false;
    for (let at = 0; at < keys.length && items.length < limit; at++) {
      const key = keys[at];
      // Inside the subtree of a folder met earlier in this run.
      if (Buffer.compare(key, start) < 0) continue;
      const rest = key.subarray(prefix.length);
      const slash = rest.indexOf(SLASH);
      if (slash < 0) {
        items.push({ name: Buffer.from(rest), key, isKey: true, hasChildren: await hasLiveChildren(liveKeys, key, keys, at, whole) });
        listedLeaves.add(key.toString("latin1"));
        start = after(key, 0);
        continue;
      }
      metFolder = true;
      const name = Buffer.from(rest.subarray(0, slash));
      const folderKey = Buffer.concat([prefix, name]);
      // A name that is also a key was listed as that key, which sorts before its subtree (and
      // before "name-x" and the like): on this page, or, when the page started past it, on an
      // earlier one. The root's "/" folder has the empty key, which etcd cannot store.
      const alsoKey =
        listedLeaves.has(folderKey.toString("latin1")) ||
        (folderKey.length > 0 &&
          Buffer.compare(folderKey, pageStart) < 0 &&
          (await liveKeys(folderKey, after(folderKey, 0), 1)).length > 0);
      if (!alsoKey) items.push({ name, key: folderKey, isKey: false, hasChildren: true });
      start = after(folderKey, ZERO_CHAR);
    }
    if (whole && items.length < limit) return { items, nextCursor: null };
    // After a folder the next run starts at one key: on a level of folders (namespaces) every
    // further key of the run would lie in the next folder's subtree, read for nothing.
    run = metFolder ? 1 : Math.min(MAX_RUN, run * 4);
  }
  // One more seek, so that a page that ends the level says so instead of promising a next one.
  return { items, nextCursor: (await liveKeys(start, end, 1)).length > 0 ? start : null };
}

/** Whether a leaf has live keys below it ("key/…"), from the run that holds it when the run reaches past them. */
async function hasLiveChildren(liveKeys: LiveKeys, key: Buffer, run: Buffer[], at: number, whole: boolean): Promise<boolean> {
  const below = after(key, SLASH);
  const past = after(key, ZERO_CHAR);
  for (let next = at + 1; next < run.length; next++) {
    if (Buffer.compare(run[next], below) >= 0) return Buffer.compare(run[next], past) < 0;
  }
  // The run ended before "key/": with nothing after it, there is nothing below the key either.
  if (whole) return false;
  return (await liveKeys(below, past, 1)).length > 0;
}

/**
 * Whether the archive can list the whole keyspace at `revision`: a listing is complete only from a
 * finished baseline on (it holds every key's version at its revision; etcd's retained history
 * before it lacks the versions of keys last written before etcd's compaction), with no gap since
 * that baseline. The retention's cut (coverage.pruned) counts as a baseline. `oldest` is the
 * first revision it can list, null when none.
 */
export function levelReadableAt(coverage: ArchiveCoverage, revision: number): { readable: boolean; oldest: number | null } {
  // The retention's cut holds every key's value at it, as a baseline does (and removed those below).
  const complete = coverage.pruned
    ? [coverage.pruned.before, ...coverage.baselines.filter((at) => at > coverage.pruned!.before)]
    : coverage.baselines;
  const oldest = complete.length > 0 ? complete[0] : null;
  if (revision > coverage.lastRevision) return { readable: false, oldest };
  const baseline = complete.filter((at) => at <= revision).pop();
  if (baseline === undefined) return { readable: false, oldest };
  const readable = !coverage.gaps.some((gap) => gap.to >= baseline && gap.from <= revision);
  return { readable, oldest };
}
