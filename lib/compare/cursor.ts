// The comparison's paging cursor: both sides' pinned revisions and the first key the next page
// reads. Opaque on the wire (base64url of a small JSON).
import { base64UrlToBytes, bytesToBase64Url } from "@/lib/keys";

export type CompareCursor = { left: number; right: number; from: Uint8Array };

export function encodeCompareCursor(cursor: CompareCursor): string {
  return bytesToBase64Url(new TextEncoder().encode(JSON.stringify({ l: cursor.left, r: cursor.right, k: bytesToBase64Url(cursor.from) })));
}

const isRevision = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 1;

export function decodeCompareCursor(text: string): CompareCursor | undefined {
  try {
    const body: unknown = JSON.parse(new TextDecoder().decode(base64UrlToBytes(text)));
    if (body === null || typeof body !== "object") return undefined;
    const { l, r, k } = body as Record<string, unknown>;
    if (!isRevision(l) || !isRevision(r) || typeof k !== "string") return undefined;
    return { left: l, right: r, from: base64UrlToBytes(k) };
  } catch {
    return undefined;
  }
}
