import { describe, expect, it } from "vitest";
import { reduceSearch, searchPageHref, searchStreamUrl, splitNdjson, type SearchState } from "./search";

describe("the search page's stream", () => {
  it("splits NDJSON into whole lines and keeps the unfinished rest", () => {
    const { lines, rest } = splitNdjson('{"type":"progress","scanned":1,"total":2}\n\n{"type":"hit"');
    expect(lines).toEqual([{ type: "progress", scanned: 1, total: 2 }]);
    expect(rest).toBe('{"type":"hit"');
    expect(splitNdjson("{")).toEqual({ lines: [], rest: "{" });
  });

  it("gathers hits and counts, keeps them when More continues, and shows an error line", () => {
    let state: SearchState = reduceSearch({ status: "idle", items: [], scanned: 0, total: 0, next: null }, { type: "begin", fresh: true });
    state = reduceSearch(state, { type: "line", line: { type: "start", revision: 7, total: 3, scanned: 0 } });
    const item = { key: "/a", keyBase64: "L2E=", revision: 5, createRevision: 5, version: 1, field: "key", snippet: "/a" };
    state = reduceSearch(state, { type: "line", line: { type: "hit", item } });
    state = reduceSearch(state, { type: "line", line: { type: "end", revision: 7, scanned: 2, total: 3, next: "c" } });
    expect(state).toMatchObject({ status: "done", revision: 7, scanned: 2, total: 3, next: "c", items: [item] });
    state = reduceSearch(state, { type: "begin", fresh: false });
    expect(state.items).toEqual([item]);
    state = reduceSearch(state, { type: "line", line: { type: "error", error: { code: "compacted", message: "gone" } } });
    expect(state.status).toBe("error");
    expect(state.error?.message).toBe("gone");
    expect(reduceSearch(state, { type: "cancelled" }).status).toBe("error");
  });

  it("builds URLs that carry the search exactly", () => {
    expect(searchPageHref({ prefix: "/registry/", q: "a+b café:x", rev: 12 })).toBe(
      "/search?prefix=%2Fregistry%2F&q=a%2Bb+caf%C3%A9%3Ax&rev=12",
    );
    expect(searchStreamUrl("two", { prefix: "/a b/", q: "x+y" }, "CUR")).toBe(
      "/api/search?prefix=/a%20b/&q=x%2By&stream=1&cursor=CUR&cluster=two",
    );
    expect(searchStreamUrl(undefined, { prefix: "/", q: "x", rev: 3 })).toBe("/api/search?prefix=/&q=x&stream=1&rev=3");
  });
});
