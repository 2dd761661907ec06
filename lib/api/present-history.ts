import "server-only";
import { describeVersions, type VersionInput } from "@/lib/diff/lifecycle";
import type { HistoryPage, HistoryVersion } from "@/lib/etcd/history";
import type { HistoryDto } from "./dto";

// The one place a key's history page (HistoryDto) is built: etcd's entries with what each one
// meant (lifecycle, re-creation, a one-line summary of what changed).

function toInput({ entry, value }: HistoryVersion): VersionInput {
  return { type: entry.type, revision: entry.revision, version: entry.version, createRevision: entry.createRevision, value };
}

export function presentHistory(page: HistoryPage, key: Uint8Array): HistoryDto {
  // Secret values stay masked in summaries even when the operator allows revealing: that is one
  // value per click, through /api/secret.
  const meanings = describeVersions(page.items.map(toInput), page.older && toInput(page.older), page.olderKnown, {
    revealSecrets: false,
    key,
  });
  const body: HistoryDto = {
    revision: page.revision,
    items: page.items.map(({ entry }, index) => ({ ...entry, ...meanings[index] })),
    next: page.next,
  };
  if (page.compactRevision) body.compactRevision = page.compactRevision;
  return body;
}
