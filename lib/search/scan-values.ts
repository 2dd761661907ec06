import "server-only";
import { readInTurn } from "@/lib/etcd/bulk-gate";
import { callEtcd } from "@/lib/etcd/call";
import type { ClusterConnection } from "@/lib/etcd/client";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { range, rangeMany, type KeyValue, type RangeResult } from "@/lib/etcd/kv";
import { decodeValue, judgeSecret } from "@/lib/decode";
import { concatBytes, keyToDisplay, prefixRangeEnd, startsWithBytes } from "@/lib/keys";
import type { SearchCursor } from "./cursor";
import { compileSearchQuery, type MatchSite } from "./match";
import { rawPrefilter } from "./prefilter";
import type { SearchTerm } from "./query";

// Search by content: the keys under a prefix whose name or decoded value matches a query, read
// with their values in bounded pages pinned to one revision, and decoded one page at a time while
// the next page is on its way. Memory holds two pages (about 2 MiB each) and the matches of one
// page of results. A page of results closes at `limit` matches, or when its time or key budget is
// spent; its cursor then goes on from the next key at the same revision.
//
// Responses stay well under gRPC's 4 MiB the way level-values.ts keeps them: etcd says nothing of
// a value's size before sending it, so the first read takes two keys and each next one as many as
// fit in about 2 MiB at the largest value seen so far (at most one value, which etcd caps at
// 1.5 MiB by default, over the budget).

const BYTES_PER_READ = 2 * 1024 * 1024;
const FIRST_READ_KEYS = 2;
const MAX_READ_KEYS = 1000;

export type KeyRange = { start: Uint8Array; end: Uint8Array };

export type SearchHit = {
  kv: KeyValue;
  site: MatchSite;
  /** A Secret decoded unmasked (the viewer may reveal it): the route records the reveal in the audit trail. */
  revealedSecret: boolean;
};

export type SearchPage = {
  revision: number;
  hits: SearchHit[];
  scanned: number;
  total: number;
  next: SearchCursor | null;
};

export type SearchRequest = {
  prefix: Uint8Array;
  terms: readonly SearchTerm[];
  /** The ranges the viewer may read under the prefix (visibleRanges), in key order. */
  ranges: readonly KeyRange[];
  revision?: number;
  cursor?: SearchCursor;
  limit: number;
  budget: { ms: number; keys: number };
  /** Whether the viewer may see a key's Secret values: only then are they decoded unmasked. */
  mayReveal: (key: Uint8Array) => boolean;
  signal?: AbortSignal;
  /** Each match as it is found, and the progress after each read (the streaming form). */
  onHit?: (hit: SearchHit) => void;
  onProgress?: (progress: { scanned: number; total: number; revision: number }) => void;
};

/** The ranges under `prefix` that `granted` prefixes (all of it when absent) let a viewer read, in key order, none inside another. */
export function visibleRanges(prefix: Uint8Array, granted?: readonly Uint8Array[]): KeyRange[] {
  const whole = (start: Uint8Array): KeyRange => ({ start: start.length > 0 ? start : Uint8Array.of(0), end: prefixRangeEnd(start) });
  if (!granted) return [whole(prefix)];
  const sorted = [...granted].filter((given) => startsWithBytes(given, prefix)).sort((a, b) => Buffer.compare(a, b));
  const kept: Uint8Array[] = [];
  for (const given of sorted) if (!kept.some((outer) => startsWithBytes(given, outer))) kept.push(given);
  return kept.map(whole);
}

/** etcd's range_end of "\0" runs to the end of the keyspace. */
const isOpenEnd = (end: Uint8Array) => end.length === 1 && end[0] === 0;
const before = (key: Uint8Array, end: Uint8Array) => isOpenEnd(end) || Buffer.compare(key, end) < 0;

/** How many keys the ranges hold at a revision (the current one when absent), and that revision. */
async function countRanges(
  connection: ClusterConnection,
  prefix: Uint8Array,
  ranges: readonly KeyRange[],
  revision: number | undefined,
): Promise<{ total: number; revision: number }> {
  if (ranges.length === 0) {
    const header = await range(connection, { key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0), revision, countOnly: true, limit: 1 });
    return { total: 0, revision: revision ?? header.header.revision };
  }
  const counts = await rangeMany(
    connection,
    ranges.map((each) => ({ key: each.start, rangeEnd: each.end, revision, countOnly: true })),
  );
  const at = revision ?? counts[0].header.revision;
  // The folder index's exact count, when it is at that very revision: the number the tree shows.
  const whole = ranges.length === 1 && (prefix.length === 0 || prefix[prefix.length - 1] === 0x2f);
  if (whole) {
    const indexed = getFolderIndex(connection).countUnderAt([Buffer.from(prefix).toString("latin1")], at);
    if (indexed) return { total: prefix.length === 0 ? Math.max(indexed[0], counts[0].count) : indexed[0], revision: at };
  }
  return { total: counts.reduce((sum, each) => sum + each.count, 0), revision: at };
}

/** The revision a search reads at and how many keys it will scan: the cursor's, else counted now. */
export async function pinSearch(
  connection: ClusterConnection,
  request: Pick<SearchRequest, "prefix" | "ranges" | "revision" | "cursor">,
): Promise<{ revision: number; total: number }> {
  if (request.cursor) return { revision: request.cursor.revision, total: request.cursor.total };
  return callEtcd(connection, () => countRanges(connection, request.prefix, request.ranges, request.revision), {
    revision: request.revision,
  });
}

export async function searchValues(
  connection: ClusterConnection,
  request: SearchRequest,
  pinned?: { revision: number; total: number },
): Promise<SearchPage> {
  const started = performance.now();
  const matcher = compileSearchQuery(request.terms);
  const prefilter = rawPrefilter(request.terms);
  const { revision, total } = pinned ?? (await pinSearch(connection, request));
  const scannedBefore = request.cursor?.scanned ?? 0;
  let scanned = scannedBefore;
  const hits: SearchHit[] = [];
  const from = request.cursor?.from;
  const queue = request.ranges
    .filter((each) => !from || before(from, each.end))
    .map((each) => ({ start: from && Buffer.compare(from, each.start) > 0 ? from : each.start, end: each.end }));
  let largest = 0;
  const read = (start: Uint8Array, end: Uint8Array): Promise<RangeResult> => {
    const limit = largest === 0 ? FIRST_READ_KEYS : Math.min(MAX_READ_KEYS, Math.max(1, Math.floor(BYTES_PER_READ / largest)));
    // Every search's pages take turns with the other bulk reads of the cluster (lib/etcd/bulk-gate.ts).
    return readInTurn(
      connection,
      () => callEtcd(connection, () => range(connection, { key: start, rangeEnd: end, limit, revision }), { revision }),
      request.signal,
    );
  };
  const progress = () => request.onProgress?.({ scanned, total, revision });
  const closeAt = (key: Uint8Array): SearchPage => ({ revision, hits, scanned, total, next: { revision, from: key, scanned, total } });
  const finished = (): SearchPage => ({ revision, hits, scanned, total, next: null });

  for (let r = 0; r < queue.length; r++) {
    const { end } = queue[r];
    let pending: Promise<RangeResult> | null = read(queue[r].start, end);
    while (pending) {
      const answer: RangeResult = await pending;
      for (const kv of answer.kvs) largest = Math.max(largest, kv.key.length + kv.value.length);
      const last = answer.kvs[answer.kvs.length - 1];
      const following: Uint8Array | undefined = answer.more && last ? concatBytes(last.key, Uint8Array.of(0)) : undefined;
      // The next read goes to etcd while this one is decoded.
      pending = following ? read(following, end) : null;
      for (const kv of answer.kvs) {
        if (request.signal?.aborted) {
          pending?.catch(() => undefined);
          return closeAt(kv.key);
        }
        scanned += 1;
        const hit = matchOne(kv);
        if (!hit) continue;
        hits.push(hit);
        request.onHit?.(hit);
        if (hits.length >= request.limit) {
          pending?.catch(() => undefined);
          progress();
          const more = kv !== last || following !== undefined || r + 1 < queue.length;
          return more ? closeAt(concatBytes(kv.key, Uint8Array.of(0))) : finished();
        }
      }
      progress();
      const spent = performance.now() - started > request.budget.ms || scanned - scannedBefore >= request.budget.keys;
      const rest = following ?? queue[r + 1]?.start;
      if ((spent || request.signal?.aborted) && rest) {
        pending?.catch(() => undefined);
        return closeAt(rest);
      }
    }
  }
  return finished();

  function matchOne(kv: KeyValue): SearchHit | null {
    const keyText = keyToDisplay(kv.key);
    if (!matcher.needsValue(keyText)) return { kv, site: matcher.match(keyText, undefined)!, revealedSecret: false };
    if (prefilter && !prefilter(kv.value)) return null;
    const reveal = request.mayReveal(kv.key);
    const value = decodeValue(kv.value, { key: kv.key, modRevision: kv.modRevision, revealSecrets: reveal });
    const site = matcher.match(keyText, value);
    return site ? { kv, site, revealedSecret: reveal && judgeSecret(kv.value, kv.key) !== undefined } : null;
  }
}
