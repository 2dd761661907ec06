import "server-only";
import { describeVersions, type VersionInput } from "@/lib/diff/lifecycle";
import type { MergedHistoryPage } from "@/lib/archive/merged-history";
import type { ArchiveView } from "@/lib/archive/reach-back";
import type { HistoryVersion } from "@/lib/etcd/history";
import type { HistoryDto } from "./dto";
import { presentReadFrom, presentRevisionTime } from "./present-archive";
import type { RevisionTime } from "@/lib/archive/store";

// The one place a key's history page (HistoryDto) is built: etcd's and the archive's entries with
// what each one meant (lifecycle, re-creation, a one-line summary of what changed).

function toInput({ entry, value }: HistoryVersion): VersionInput {
  return { type: entry.type, revision: entry.revision, version: entry.version, createRevision: entry.createRevision, value };
}

export function presentHistory(
  page: MergedHistoryPage,
  key: Uint8Array,
  archive: ArchiveView | null,
  times: ReadonlyMap<number, RevisionTime> = new Map(),
  archiveUnavailable?: string,
): HistoryDto {
  // Secret values stay masked in summaries even when the operator allows revealing: that is one
  // value per click, through /api/secret.
  const meanings = describeVersions(page.items.map(toInput), page.older && toInput(page.older), page.olderKnown, {
    revealSecrets: false,
    key,
  });
  const body: HistoryDto = {
    revision: page.revision,
    items: page.items.map(({ entry }, index) => ({ ...entry, ...meanings[index], ...presentRevisionTime(times.get(entry.revision)) })),
    next: page.next,
    readFrom: presentReadFrom(page.source, archive, page.notArchived, archiveUnavailable),
  };
  if (page.compactRevision) body.compactRevision = page.compactRevision;
  if (page.gaps.length > 0) body.gaps = page.gaps.map(({ from, to }) => ({ from, to }));
  return body;
}
