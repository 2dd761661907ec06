import "server-only";
import type { ClusterConnection } from "@/lib/etcd/client";
import type { KeyValue } from "@/lib/etcd/kv";
import { decodeValue } from "@/lib/decode";
import { diffValues, isKubernetesPair } from "@/lib/diff";
import { readPagesAt } from "@/lib/export/export-stream";
import { bytesEqual, concatBytes, keyToDisplay } from "@/lib/keys";
import type { KeyRange } from "@/lib/search/scan-values";
import { mergeByKey } from "./merge";

// Two sides (two clusters, or two revisions of one) compared under a prefix: a merge walk over both
// sides' keys in key order, each side read in bounded pages pinned to its revision (readPagesAt:
// ~2 MiB a page), so memory holds a page per side and this page's results. Values equal in bytes
// are the same; otherwise both are decoded (Secrets masked) and a structural diff whose changes are
// all noise (lib/diff/noise.ts: resourceVersion, managedFields, timestamps…) makes the key
// "same after noise" rather than changed.

export type CompareSideRead = { connection: ClusterConnection; revision: number; ranges: readonly KeyRange[] };

export type CompareEntry = { key: Uint8Array; left?: KeyValue; right?: KeyValue };

export type CompareCounts = { onlyLeft: number; onlyRight: number; changed: number; sameAfterNoise: number; same: number };

export type ComparePage = {
  onlyLeft: CompareEntry[];
  onlyRight: CompareEntry[];
  changed: CompareEntry[];
  counts: CompareCounts;
  /** The same counts per folder: the first path segment below the prefix ("" for keys directly in it). */
  folders: Map<string, CompareCounts>;
  /** The first key of the next page, or null at the end. */
  next: Uint8Array | null;
};

const zero = (): CompareCounts => ({ onlyLeft: 0, onlyRight: 0, changed: 0, sameAfterNoise: 0, same: 0 });

/** The ranges from `from` on: the cursor's start clamps each range. */
function rangesFrom(ranges: readonly KeyRange[], from: Uint8Array | undefined): KeyRange[] {
  if (!from) return [...ranges];
  const open = (end: Uint8Array) => end.length === 1 && end[0] === 0;
  return ranges
    .filter((each) => open(each.end) || Buffer.compare(from, each.end) < 0)
    .map((each) => ({ start: Buffer.compare(from, each.start) > 0 ? from : each.start, end: each.end }));
}

/** How two differing values compare: changed, or the same once noise fields are set aside. */
export function classifyDifference(left: KeyValue, right: KeyValue): "changed" | "sameAfterNoise" {
  const a = decodeValue(left.value, { key: left.key, modRevision: left.modRevision });
  const b = decodeValue(right.value, { key: right.key, modRevision: right.modRevision });
  if (!isKubernetesPair(a, b) || a.format !== b.format) return "changed";
  return diffValues(a, b).every((change) => change.noise) ? "sameAfterNoise" : "changed";
}

export async function compareSides(
  prefix: Uint8Array,
  left: CompareSideRead,
  right: CompareSideRead,
  options: { from?: Uint8Array; limit: number; maxKeys: number; signal?: AbortSignal; visible?: (key: Uint8Array) => boolean },
): Promise<ComparePage> {
  const page: ComparePage = { onlyLeft: [], onlyRight: [], changed: [], counts: zero(), folders: new Map(), next: null };
  const leftPages = readPagesAt(left.connection, rangesFrom(left.ranges, options.from), left.revision, options.signal);
  const rightPages = readPagesAt(right.connection, rangesFrom(right.ranges, options.from), right.revision, options.signal);
  const walk = mergeByKey(leftPages, rightPages);
  let walked = 0;
  try {
    for await (const pair of walk) {
      if (page.onlyLeft.length + page.onlyRight.length + page.changed.length >= options.limit || walked >= options.maxKeys) {
        page.next = pair.key;
        break;
      }
      walked += 1;
      if (options.visible && !options.visible(pair.key)) continue;
      const kind = !pair.right
        ? "onlyLeft"
        : !pair.left
          ? "onlyRight"
          : bytesEqual(pair.left.value, pair.right.value)
            ? "same"
            : classifyDifference(pair.left, pair.right);
      page.counts[kind] += 1;
      const folder = folderOf(prefix, pair.key);
      const counts = page.folders.get(folder) ?? zero();
      counts[kind] += 1;
      page.folders.set(folder, counts);
      if (kind === "onlyLeft" || kind === "onlyRight" || kind === "changed") page[kind].push(pair);
    }
  } finally {
    await walk.return(undefined);
  }
  return page;
}

function folderOf(prefix: Uint8Array, key: Uint8Array): string {
  const rest = key.subarray(prefix.length);
  const slash = rest.indexOf(0x2f);
  return slash < 0 ? "" : keyToDisplay(concatBytes(prefix, rest.subarray(0, slash + 1)));
}
