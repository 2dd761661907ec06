import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ancestorLevels,
  base64UrlToBytes,
  bytesFromText,
  bytesToBase64Url,
  decodeKeyParam,
  encodeKeyParam,
  keyFromRouteSegments,
  keyHref,
  keyToDisplay,
  keyToPath,
  MalformedParamError,
  includesBytes,
  parentLevel,
  pathToKey,
  prefixRangeEnd,
  readRawQuery,
} from "./keys";

const text = (s: string) => bytesFromText(s);
const bytes = (...values: number[]) => Uint8Array.from(values);

// What a browser and the Next router do with a path: the WHATWG URL parser normalises it, then the
// router splits the path on "/" and percent-decodes each segment.
function segmentsAsRouterSeesThem(path: string): string[] {
  const url = new URL(`http://127.0.0.1/keys/${path}`);
  const rest = url.pathname.replace(/^\/keys\/?/, "");
  return rest === "" ? [] : rest.split("/").map(decodeURIComponent);
}

// Keys weighted towards the bytes that break naive encoders.
const trickyByte = fc.oneof(
  fc.constantFrom(0x2f, 0x2f, 0x7e, 0x25, 0x2e, 0x3f, 0x23, 0x5c, 0x00, 0x0a, 0x20, 0x2b, 0xff, 0xc3, 0xa9, 0xe2),
  fc.integer({ min: 0, max: 255 }),
);
const anyKey = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.array(trickyByte, { minLength: 1, maxLength: 40 }).map((a) => Uint8Array.from(a)),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map((s) => text(s)),
  fc.array(fc.constantFrom("/", "a", ".", "..", "~", "%2F", "é", "registry"), { minLength: 1, maxLength: 8 }).map((p) => text(p.join(""))),
);

describe("page URL paths", () => {
  it("keeps printable keys readable with the leading slash implied", () => {
    expect(keyToPath(text("/registry/pods/default/dnsutils"))).toBe("registry/pods/default/dnsutils");
    expect(keyHref(text("/registry/pods/default/dnsutils"), { rev: 12 })).toBe("/keys/registry/pods/default/dnsutils?rev=12");
  });

  it("marks keys without a leading slash with a first segment ~", () => {
    expect(keyToPath(text("foo"))).toBe("~/foo");
    expect(pathToKey(["~", "foo"])).toEqual(text("foo"));
  });

  it("names the tree's root ~ and gives the key / a path of its own, apart from the landing page", () => {
    expect(keyToPath(new Uint8Array(0))).toBe("~");
    expect(keyHref(new Uint8Array(0))).toBe("/keys/~");
    expect(pathToKey(["~"])).toEqual(new Uint8Array(0));
    expect(pathToKey([])).toEqual(new Uint8Array(0));
    expect(keyHref(text("/"))).toBe("/keys/~/~2f");
    expect(pathToKey(["~", "~2f"])).toEqual(text("/"));
  });

  it("escapes bytes a URL cannot carry and slashes that would make empty segments", () => {
    expect(keyToPath(bytes(0x2f, 0x61, 0xff, 0x00))).toBe("a~ff~00");
    expect(keyToPath(text("/a//b/"))).toBe("a~2f~2fb~2f");
    expect(keyToPath(text("/a/../b/./c"))).toBe("a/~2e~2e/b/~2e/c");
    expect(keyToPath(text("/x~y%z?#\\"))).toBe("x~7ey~25z~3f~23~5c");
    expect(keyToPath(text("/café/ünï"))).toBe("caf%C3%A9/%C3%BCn%C3%AF");
  });

  it("takes a ~ that starts no escape literally in a hand-typed URL", () => {
    expect(pathToKey(["a~b", "~zz"])).toEqual(text("/a~b/~zz"));
  });

  it("round-trips every byte string through a real URL parser and router decoding", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const path = keyToPath(key);
        const segments = segmentsAsRouterSeesThem(path);
        expect(segments.every((s) => s !== "" && s !== "." && s !== "..")).toBe(true);
        expect(Buffer.from(pathToKey(segments)).equals(Buffer.from(key))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

// How `next start` (Next 16) hands the segments of /keys/[[...key]] to the page, measured by
// requesting such paths: each segment decoded, then re-encoded with encodeURIComponent.
function segmentsAsNextHandsThem(path: string): string[] {
  const url = new URL(`http://127.0.0.1/keys/${path}`);
  const rest = url.pathname.replace(/^\/keys\/?/, "");
  return rest === "" ? [] : rest.split("/").map((segment) => encodeURIComponent(decodeURIComponent(segment)));
}

describe("route segments as Next hands them to the page", () => {
  it("open the key from the URL etcdlens writes", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(Buffer.from(keyFromRouteSegments(segmentsAsNextHandsThem(keyToPath(key)))).equals(Buffer.from(key))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("open the key from a plain percent-encoded URL: decoded per segment, then etcdlens' ~ escapes", () => {
    const open = (path: string) => new TextDecoder().decode(keyFromRouteSegments(segmentsAsNextHandsThem(path)));
    expect(open("registry/clusterroles/system:aggregate-to-admin")).toBe("/registry/clusterroles/system:aggregate-to-admin");
    expect(open("registry/clusterroles/system%3Aaggregate-to-view")).toBe("/registry/clusterroles/system:aggregate-to-view");
    expect(open("registry/clusterroles/system%3aaggregate-to-view")).toBe("/registry/clusterroles/system:aggregate-to-view");
    expect(open("team/notes/with%20space")).toBe("/team/notes/with space");
    expect(open("team/notes/q%3Fmark")).toBe("/team/notes/q?mark");
    expect(open("team/notes/pct%2541")).toBe("/team/notes/pct%41");
    expect(open("team/notes/a+b")).toBe("/team/notes/a+b");
    expect(open("team/notes/a%2Fb")).toBe("/team/notes/a/b");
    expect(open("team/notes/%C3%BCn%C3%AF")).toBe("/team/notes/ünï");
    expect(open("team/notes/tilde~7e~2f")).toBe("/team/notes/tilde~/");
    expect(open("~/relative")).toBe("relative");
  });

  it("take a segment that does not decode as written", () => {
    expect(keyFromRouteSegments(["a%ZZ"])).toEqual(text("/a%ZZ"));
  });
});

describe("API query parameters", () => {
  it("percent-encodes bytes and keeps slashes readable", () => {
    expect(encodeKeyParam(text("/registry/pods/a b"))).toBe("/registry/pods/a%20b");
    expect(encodeKeyParam(bytes(0x2f, 0xff, 0x2b))).toBe("/%FF%2B");
  });

  it("decodes %00-%FF to exact bytes and a plus as a plus", () => {
    expect(decodeKeyParam("/a%00%ff+b")).toEqual(bytes(0x2f, 0x61, 0x00, 0xff, 0x2b, 0x62));
    expect(decodeKeyParam("/é")).toEqual(text("/é"));
  });

  it("rejects a broken escape with a message", () => {
    expect(() => decodeKeyParam("/a%zz")).toThrow(MalformedParamError);
    expect(() => decodeKeyParam("/a%f")).toThrow(/position 2/);
  });

  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        expect(decodeKeyParam(encodeKeyParam(key))).toEqual(key);
        const raw = readRawQuery(`/api/key?key=${encodeKeyParam(key)}&rev=3`);
        expect(decodeKeyParam(raw.get("key")!)).toEqual(key);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads the raw query without decoding it", () => {
    const raw = readRawQuery("http://h/api/keys?prefix=%2Fa%FF&limit=5#frag");
    expect(raw.get("prefix")).toBe("%2Fa%FF");
    expect(raw.get("limit")).toBe("5");
  });
});

describe("display text", () => {
  it("shows UTF-8 where valid and escapes everything else", () => {
    expect(keyToDisplay(text("/registry/pods/café"))).toBe("/registry/pods/café");
    expect(keyToDisplay(bytes(0x2f, 0x61, 0xff, 0x0a, 0x5c))).toBe("/a\\xff\\x0a\\\\");
    expect(keyToDisplay(bytes(0xc3))).toBe("\\xc3");
    expect(keyToDisplay(text("a\u202eb"))).toBe("a\\xe2\\x80\\xaeb");
  });

  it("never shows two different keys the same way", () => {
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        if (Buffer.from(a).equals(Buffer.from(b))) return;
        expect(keyToDisplay(a)).not.toBe(keyToDisplay(b));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("tree helpers", () => {
  it("computes etcd's range end for a prefix", () => {
    expect(prefixRangeEnd(text("/registry/"))).toEqual(text("/registry0"));
    expect(prefixRangeEnd(bytes(0x61, 0xff))).toEqual(bytes(0x62));
    expect(prefixRangeEnd(bytes(0xff))).toEqual(bytes(0x00));
  });

  it("lists the levels leading to a key", () => {
    const levels = ancestorLevels(text("/registry/pods/x")).map((l) => Buffer.from(l).toString());
    expect(levels).toEqual(["", "/", "/registry/", "/registry/pods/"]);
    expect(Buffer.from(parentLevel(text("/registry/pods/x"))).toString()).toBe("/registry/pods/");
    expect(Buffer.from(parentLevel(text("foo"))).toString()).toBe("");
  });

  it("round-trips cursors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (value) => {
        expect(base64UrlToBytes(bytesToBase64Url(value))).toEqual(value);
      }),
    );
    expect(() => base64UrlToBytes("a+b")).toThrow(MalformedParamError);
  });
});

describe("byte search", () => {
  it("finds a needle exactly where Buffer.includes does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 4 }), (haystack, needle) => {
        expect(includesBytes(haystack, needle)).toBe(Buffer.from(haystack).includes(Buffer.from(needle)));
      }),
      { numRuns: 3000 },
    );
    expect(includesBytes(text("/registry/pods"), text("pods"))).toBe(true);
    expect(includesBytes(text("/registry/pods"), text("podz"))).toBe(false);
  });
});
