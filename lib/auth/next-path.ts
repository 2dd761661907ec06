// Where the sign-in trip returns: only a path on this dashboard, kept byte for byte (deep links
// to keys carry percent-escapes that must survive), never another site. Browsers read "//host",
// "/\host" and "\\host" as links to another host, and drop tabs and newlines from URLs, so all of
// those are refused rather than cleaned up.

/** `next` when it is a same-origin path (and query), else undefined. */
export function safeNextPath(next: string | null | undefined): string | undefined {
  if (!next || next[0] !== "/") return undefined;
  if (next[1] === "/" || next.includes("\\")) return undefined;
  // Control characters, spaces and anything beyond ASCII: a browser sends a URL percent-encoded.
  if (!/^[\x21-\x7e]+$/.test(next)) return undefined;
  try {
    // What a browser would make of it: still this origin, and the same path it was given.
    const base = "http://etcdlens.invalid";
    const resolved = new URL(next, base);
    if (resolved.origin !== base) return undefined;
  } catch {
    return undefined;
  }
  return next;
}
