import { describe, expect, it } from "vitest";
import { isFragmentKeyHref, keyFromFragment, keyHref, MAX_PAGE_PATH_CHARS } from "./keys";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("page URLs of keys too long for a URL path", () => {
  it("keep short keys in the path", () => {
    expect(keyHref(bytes("/registry/pods/a"), { rev: 5 })).toBe("/keys/registry/pods/a?rev=5");
    expect(isFragmentKeyHref(keyHref(bytes("/registry/pods/a")))).toBe(false);
  });

  it("name a long key in the fragment, which round-trips to the same bytes", () => {
    for (const key of [
      bytes(`/long/${"x".repeat(20 * 1024)}`),
      Uint8Array.from([...bytes(`relative/${"é".repeat(3000)}`), 0xff, 0x00, 0x2f, 0x2f]),
    ]) {
      const href = keyHref(key, { rev: 7 });
      expect(href.startsWith("/keys?rev=7#key=")).toBe(true);
      expect(isFragmentKeyHref(href)).toBe(true);
      expect(keyFromFragment(href.slice(href.indexOf("#")))).toEqual(key);
    }
    expect(keyHref(bytes(`/${"a".repeat(MAX_PAGE_PATH_CHARS)}`)).length).toBeGreaterThan(MAX_PAGE_PATH_CHARS);
  });

  it("read no key from other fragments or broken escapes", () => {
    expect(keyFromFragment("")).toBeUndefined();
    expect(keyFromFragment("#section")).toBeUndefined();
    expect(keyFromFragment("#key=%ZZ")).toBeUndefined();
  });
});
