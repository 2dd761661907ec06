// The search's paging cursor: where the next page starts, pinned to the revision the search began
// at, with the counts so far, so that a following page goes on exactly where the last one closed.
// Opaque on the wire (base64url of a small JSON); pure, so the page and the route share it.
import { base64UrlToBytes, bytesToBase64Url } from "@/lib/keys";

export type SearchCursor = {
  revision: number;
  /** The first key the next page reads. */
  from: Uint8Array;
  /** Keys scanned before it, and how many there are in all at the revision. */
  scanned: number;
  total: number;
};

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeSearchCursor(cursor: SearchCursor): string {
  const body = JSON.stringify({ r: cursor.revision, k: bytesToBase64Url(cursor.from), s: cursor.scanned, t: cursor.total });
  return bytesToBase64Url(textEncoder.encode(body));
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** The cursor a page handed out, or undefined when the text is not one. */
export function decodeSearchCursor(text: string): SearchCursor | undefined {
  try {
    const body: unknown = JSON.parse(textDecoder.decode(base64UrlToBytes(text)));
    if (body === null || typeof body !== "object") return undefined;
    const { r, k, s, t } = body as Record<string, unknown>;
    if (!isCount(r) || r < 1 || typeof k !== "string" || !isCount(s) || !isCount(t)) return undefined;
    return { revision: r, from: base64UrlToBytes(k), scanned: s, total: t };
  } catch {
    return undefined;
  }
}
