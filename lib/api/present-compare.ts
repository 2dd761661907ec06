import "server-only";
import type { CompareCounts, CompareEntry, ComparePage } from "@/lib/compare/compare";
import { encodeCompareCursor } from "@/lib/compare/cursor";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";

// GET /api/compare's answer: one page of the merge walk. Entries carry the key (display and
// base64) and each side's modRevision; no values (the diff view reads them, masked).

export type CompareEntryDto = { key: string; keyBase64: string; leftRevision?: number; rightRevision?: number };
export type CompareCountsDto = CompareCounts;
export type ComparePageDto = {
  left: { cluster: string; revision: number };
  right: { cluster: string; revision: number };
  onlyLeft: CompareEntryDto[];
  onlyRight: CompareEntryDto[];
  changed: CompareEntryDto[];
  counts: CompareCountsDto;
  folders: { folder: string; counts: CompareCountsDto }[];
  next: string | null;
};

const entryOf = (entry: CompareEntry): CompareEntryDto => ({
  key: keyToDisplay(entry.key),
  keyBase64: bytesToBase64(entry.key),
  ...(entry.left ? { leftRevision: entry.left.modRevision } : {}),
  ...(entry.right ? { rightRevision: entry.right.modRevision } : {}),
});

export function presentComparePage(
  page: ComparePage,
  left: { cluster: string; revision: number },
  right: { cluster: string; revision: number },
): ComparePageDto {
  return {
    left,
    right,
    onlyLeft: page.onlyLeft.map(entryOf),
    onlyRight: page.onlyRight.map(entryOf),
    changed: page.changed.map(entryOf),
    counts: page.counts,
    folders: [...page.folders].map(([folder, counts]) => ({ folder, counts })),
    next: page.next ? encodeCompareCursor({ left: left.revision, right: right.revision, from: page.next }) : null,
  };
}
