import "server-only";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import { encodeSearchCursor } from "@/lib/search/cursor";
import type { SearchHit, SearchPage } from "@/lib/search/scan-values";
import type { SearchHitDto, SearchPageDto, SearchStreamLineDto } from "./dto";

// The one place search results (SearchPageDto and the streaming form's lines) are built.

export function presentSearchHit(hit: SearchHit): SearchHitDto {
  const { kv, site } = hit;
  return {
    key: keyToDisplay(kv.key),
    keyBase64: bytesToBase64(kv.key),
    revision: kv.modRevision,
    createRevision: kv.createRevision,
    version: kv.version,
    field: site.field,
    snippet: site.text,
  };
}

export function presentSearchPage(page: SearchPage): SearchPageDto {
  return {
    revision: page.revision,
    items: page.hits.map(presentSearchHit),
    scanned: page.scanned,
    total: page.total,
    next: page.next ? encodeSearchCursor(page.next) : null,
  };
}

export function presentSearchEnd(page: SearchPage): SearchStreamLineDto {
  const { items: _items, ...rest } = presentSearchPage({ ...page, hits: [] });
  return { type: "end", ...rest };
}
