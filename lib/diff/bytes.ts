// What can be said about two binary values without showing them: sizes, how many bytes differ at
// the same offsets, and where the first difference is.

export type ByteDiffSummary = {
  oldSize: number;
  newSize: number;
  equal: boolean;
  /** Offset of the first differing byte; null when equal, or when a side is a Secret. */
  firstDifference: number | null;
  /** Bytes that differ within the common length, plus the length difference; null for a Secret. */
  differingBytes: number | null;
};

/** With `secret`, only whether the bytes are equal and their sizes: where they differ tells about the values. */
export function summarizeBytes(old: Uint8Array, next: Uint8Array, options: { secret?: boolean } = {}): ByteDiffSummary {
  if (options.secret) {
    return {
      oldSize: old.length,
      newSize: next.length,
      equal: Buffer.compare(Buffer.from(old), Buffer.from(next)) === 0,
      firstDifference: null,
      differingBytes: null,
    };
  }
  const common = Math.min(old.length, next.length);
  let first: number | null = null;
  let differing = Math.abs(old.length - next.length);
  for (let i = 0; i < common; i++) {
    if (old[i] !== next[i]) {
      differing += 1;
      if (first === null) first = i;
    }
  }
  if (first === null && old.length !== next.length) first = common;
  return { oldSize: old.length, newSize: next.length, equal: first === null, firstDifference: first, differingBytes: differing };
}
