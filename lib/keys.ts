// Keys are byte strings. This module converts them to and from the three text forms the product
// uses: the page URL path (/keys/<path>), the API query parameter (?key=...) and display text.
// Pure and shared by server and browser.

const SLASH = 0x2f;
const TILDE = 0x7e;
const utf8Encoder = new TextEncoder();

/** A key or prefix as exact bytes. */
export type KeyBytes = Uint8Array;

export function bytesFromText(text: string): KeyBytes {
  return utf8Encoder.encode(text);
}

export function concatBytes(...parts: Uint8Array[]): KeyBytes {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function startsWithBytes(value: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > value.length) return false;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return false;
  return true;
}

/** Whether `needle` occurs anywhere in `haystack` (an empty needle always does). */
export function includesBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 scanning shared by the path and display encoders: yields either a whole valid character
// (with its byte length) or a single byte that is not part of valid UTF-8.

type Unit = { kind: "char"; codePoint: number; length: number } | { kind: "byte"; byte: number };

function readUnit(bytes: Uint8Array, i: number): Unit {
  const b0 = bytes[i];
  if (b0 < 0x80) return { kind: "char", codePoint: b0, length: 1 };
  let length: number;
  let min: number;
  let codePoint: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [length, min, codePoint] = [2, 0x80, b0 & 0x1f];
  else if (b0 >= 0xe0 && b0 <= 0xef) [length, min, codePoint] = [3, 0x800, b0 & 0x0f];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [length, min, codePoint] = [4, 0x10000, b0 & 0x07];
  else return { kind: "byte", byte: b0 };
  if (i + length > bytes.length) return { kind: "byte", byte: b0 };
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k];
    if ((b & 0xc0) !== 0x80) return { kind: "byte", byte: b0 };
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  const isSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  if (codePoint < min || codePoint > 0x10ffff || isSurrogate) return { kind: "byte", byte: b0 };
  return { kind: "char", codePoint, length };
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

// Invisible or direction-changing characters would make a displayed key lie about its bytes.
function isInvisible(codePoint: number): boolean {
  return (
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0xfeff ||
    codePoint === 0x00ad
  );
}

// ---------------------------------------------------------------------------------------------
// Display text: UTF-8 where valid and printable, \xNN for every other byte, \\ for a backslash,
// so that two different keys never look the same.

export function keyToDisplay(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const unit = readUnit(bytes, i);
    if (unit.kind === "byte") {
      out += `\\x${hex2(unit.byte)}`;
      i += 1;
      continue;
    }
    const { codePoint, length } = unit;
    if (codePoint === 0x5c) out += "\\\\";
    else if (isControl(codePoint) || isInvisible(codePoint)) {
      for (let k = 0; k < length; k++) out += `\\x${hex2(bytes[i + k])}`;
    } else out += String.fromCodePoint(codePoint);
    i += length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Page URL path. `/keys/registry/pods/default/web` is the key `/registry/pods/default/web`: the
// leading slash is implied. Bytes that a URL cannot carry unchanged are written `~xx` (two
// lowercase hex digits); `~` itself is always escaped, so a lone `~` is free to mean something:
//   - a first segment `~` marks a key without a leading slash: `/keys/~/foo` is the key `foo`;
//   - a slash that would make an empty segment (doubled, leading or trailing) is written `~2f`,
//     because browsers and routers collapse or strip empty segments;
//   - segments `.` and `..` are escaped, because browsers resolve them away;
//   - `%`, `?`, `#`, `\`, control bytes and bytes that are not valid UTF-8 are escaped, so the
//     router never sees a percent sequence that is not valid UTF-8.
// Everything else (printable ASCII and valid UTF-8) stays readable; the result is percent-encoded
// per segment with encodeURIComponent, which leaves `~` alone.

export const RELATIVE_KEY_MARKER = "~";

function mustEscapeInPath(codePoint: number): boolean {
  return (
    isControl(codePoint) ||
    codePoint === TILDE ||
    codePoint === 0x25 || // %
    codePoint === 0x3f || // ?
    codePoint === 0x23 || // #
    codePoint === 0x5c // \
  );
}

function encodePathText(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const unit = readUnit(bytes, i);
    if (unit.kind === "byte") {
      out += `~${hex2(unit.byte)}`;
      i += 1;
      continue;
    }
    const { codePoint, length } = unit;
    if (codePoint === SLASH) {
      const previousIsSlash = i === 0 || bytes[i - 1] === SLASH;
      const nextIsSlash = i + 1 >= bytes.length || bytes[i + 1] === SLASH;
      out += previousIsSlash || nextIsSlash ? "~2f" : "/";
    } else if (mustEscapeInPath(codePoint)) {
      for (let k = 0; k < length; k++) out += `~${hex2(bytes[i + k])}`;
    } else out += String.fromCodePoint(codePoint);
    i += length;
  }
  return out;
}

function escapeDotSegment(segment: string): string {
  return segment === "." || segment === ".." ? segment.replaceAll(".", "~2e") : segment;
}

/**
 * The URL path below `/keys/` for a key, without a leading slash. The tree's root (the empty
 * name, which etcd never stores as a key) is `~`; the key `/` is written `~/~2f`, because a bare
 * `/keys` is the landing page, which may open a cluster's default folder instead.
 */
export function keyToPath(key: Uint8Array): string {
  const absolute = key.length > 1 && key[0] === SLASH;
  const text = encodePathText(absolute ? key.subarray(1) : key);
  const segments = text === "" ? [] : text.split("/").map(escapeDotSegment);
  if (!absolute) segments.unshift(RELATIVE_KEY_MARKER);
  return segments.map(encodeURIComponent).join("/");
}

/**
 * Past this length a key's page URL carries the key in its fragment (`/keys#key=<path>`), which
 * the browser keeps but never sends: Node refuses a request line and headers over 16 KB with an
 * empty 431, and Next's client navigation repeats the path in its own headers.
 */
export const MAX_PAGE_PATH_CHARS = 2048;

const KEY_FRAGMENT = "#key=";

/** The page URL for a key. */
export function keyHref(key: Uint8Array, search?: Record<string, string | number | undefined>): string {
  const path = keyToPath(key);
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(search ?? {})) {
    if (value !== undefined && value !== "") query.set(name, String(value));
  }
  const qs = query.toString();
  if (path.length > MAX_PAGE_PATH_CHARS) return `/keys${qs ? `?${qs}` : ""}${KEY_FRAGMENT}${path}`;
  return `/keys${path ? `/${path}` : ""}${qs ? `?${qs}` : ""}`;
}

/** The key a page URL's fragment names (see MAX_PAGE_PATH_CHARS), or undefined. */
export function keyFromFragment(hash: string): KeyBytes | undefined {
  if (!hash.startsWith(KEY_FRAGMENT)) return undefined;
  try {
    return pathToKey(hash.slice(KEY_FRAGMENT.length).split("/").map(decodeURIComponent));
  } catch {
    return undefined;
  }
}

/** Whether a page URL names its key in the fragment: Next's Link does not re-render on a fragment change. */
export function isFragmentKeyHref(href: string): boolean {
  return href.includes(KEY_FRAGMENT);
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

function decodePathText(text: string): Uint8Array {
  const raw = utf8Encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === TILDE && i + 2 < raw.length && isHexDigit(raw[i + 1]) && isHexDigit(raw[i + 2])) {
      out.push(parseInt(String.fromCharCode(raw[i + 1], raw[i + 2]), 16));
      i += 2;
    } else out.push(raw[i]);
  }
  return Uint8Array.from(out);
}

/**
 * The key for percent-decoded path segments; no segments name the tree's root (the empty name).
 * A `~` not followed by two hex digits is taken literally, so hand-typed URLs still work.
 */
export function pathToKey(segments: readonly string[]): KeyBytes {
  if (segments.length === 0) return new Uint8Array(0);
  const relative = segments[0] === RELATIVE_KEY_MARKER;
  const rest = relative ? segments.slice(1) : segments;
  const body = decodePathText(rest.join("/"));
  return relative ? body : concatBytes(Uint8Array.of(SLASH), body);
}

// Next 16 hands a catch-all route's segments to the page percent-encoded, in its own spelling:
// each segment decoded and re-encoded with encodeURIComponent, so `system:admin`, `system%3Aadmin`
// and `system%3aadmin` all arrive as `system%3Aadmin` (measured against `next start`; the e2e
// suite e2e/ui/odd-names.spec.ts holds it to that). A segment is decoded once here; the proxy has
// already refused paths that do not decode (lib/http/refuse-bad-link.ts), and a segment that
// still does not is taken as written.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The key for the segments of `/keys/[[...key]]` as Next hands them to the page. */
export function keyFromRouteSegments(segments: readonly string[]): KeyBytes {
  return pathToKey(segments.map(decodeSegment));
}

// ---------------------------------------------------------------------------------------------
// API query parameters: plain percent-encoding of bytes (`%00`–`%FF` for any byte), slash kept
// readable. Parsed from the raw query string, never through URLSearchParams, which would turn
// invalid UTF-8 into U+FFFD and `+` into a space.

function isUnreservedOrSlash(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === TILDE ||
    byte === SLASH
  );
}

export function encodeKeyParam(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    out += isUnreservedOrSlash(byte) ? String.fromCharCode(byte) : `%${hex2(byte).toUpperCase()}`;
  }
  return out;
}

export class MalformedParamError extends Error {}

/** Bytes of a percent-encoded query value; `+` is a literal plus. Throws on a broken `%` escape. */
export function decodeKeyParam(raw: string): KeyBytes {
  const out: number[] = [];
  const bytes = utf8Encoder.encode(raw);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x25) {
      out.push(bytes[i]);
      continue;
    }
    if (i + 2 >= bytes.length || !isHexDigit(bytes[i + 1]) || !isHexDigit(bytes[i + 2])) {
      throw new MalformedParamError(`"%" at position ${i} is not followed by two hex digits`);
    }
    out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

/** Raw (still percent-encoded) values of the query string of a URL, by name; last one wins. */
export function readRawQuery(url: string): Map<string, string> {
  const params = new Map<string, string>();
  const start = url.indexOf("?");
  if (start < 0) return params;
  const end = url.indexOf("#", start);
  const query = url.slice(start + 1, end < 0 ? undefined : end);
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    params.set(name, eq < 0 ? "" : pair.slice(eq + 1));
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// Base64 for `keyBase64` fields and opaque paging cursors (base64url, no padding).

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function base64UrlToBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new MalformedParamError("cursor is not base64url");
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return base64ToBytes(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
}

// ---------------------------------------------------------------------------------------------
// The key tree: keys split on "/". A level is a prefix that is empty (the root) or ends in "/".

/** The smallest key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0); // every byte is 0xff: the range runs to the end of the keyspace
}

/**
 * The tree levels that lead to a key, from the root: "", "/", "/registry/", ... The last one is
 * the level the key is listed in (a key ending in "/" is the empty-named child of itself).
 */
export function ancestorLevels(key: Uint8Array): KeyBytes[] {
  const levels: KeyBytes[] = [new Uint8Array(0)];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === SLASH) levels.push(key.subarray(0, i + 1));
  }
  return levels;
}

/** The level (prefix) a key is listed in: everything up to and including its last "/". */
export function parentLevel(key: Uint8Array): KeyBytes {
  for (let i = key.length - 1; i >= 0; i--) if (key[i] === SLASH) return key.subarray(0, i + 1);
  return new Uint8Array(0);
}

/** The level below a key: its children are the keys that start with `key + "/"`. */
export function childLevel(key: Uint8Array): KeyBytes {
  return concatBytes(key, Uint8Array.of(SLASH));
}
