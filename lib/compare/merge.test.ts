import { describe, expect, it } from "vitest";
import { mergeByKey } from "./merge";
import { formatCompareSide, parseCompareSide } from "./side";

const item = (key: string | number[], tag: string) => ({ key: typeof key === "string" ? Buffer.from(key) : Buffer.from(key), tag });
async function* pages<T>(...chunks: T[][]) {
  for (const chunk of chunks) yield chunk;
}

describe("mergeByKey", () => {
  it("walks both sides in byte order, pairing equal keys, whatever the page boundaries", async () => {
    const left = pages([item("/a", "L"), item("/b", "L")], [], [item("/d", "L"), item([0x2f, 0xff], "L")]);
    const right = pages([item("/b", "R")], [item("/c", "R"), item("/d", "R")], [item("/e", "R")]);
    const out: string[] = [];
    for await (const pair of mergeByKey(left, right)) {
      out.push(`${Buffer.from(pair.key).toString("latin1")}:${pair.left?.tag ?? "-"}${pair.right?.tag ?? "-"}`);
    }
    expect(out).toEqual(["/a:L-", "/b:LR", "/c:-R", "/d:LR", "/e:-R", "/\xff:L-"]);
  });

  it("ends when both sides end, one of them empty", async () => {
    const out = [];
    for await (const pair of mergeByKey(pages<{ key: Buffer; tag: string }>(), pages([item("/x", "R")]))) out.push(pair);
    expect(out).toHaveLength(1);
    expect(out[0].left).toBeUndefined();
  });
});

describe("parseCompareSide", () => {
  it("reads CLUSTER[@REV] with ':' and '@' in names, and writes it back", () => {
    expect(parseCompareSide("main@42")).toEqual({ ok: true, side: { cluster: "main", revision: 42 } });
    expect(parseCompareSide("snapshot:backup.db")).toEqual({ ok: true, side: { cluster: "snapshot:backup.db" } });
    expect(parseCompareSide("snapshot:backup.db@7")).toEqual({ ok: true, side: { cluster: "snapshot:backup.db", revision: 7 } });
    expect(parseCompareSide("ops@prod")).toEqual({ ok: true, side: { cluster: "ops@prod" } });
    expect(parseCompareSide("db@2@")).toEqual({ ok: true, side: { cluster: "db@2" } });
    expect(parseCompareSide("db@2@5")).toEqual({ ok: true, side: { cluster: "db@2", revision: 5 } });
    expect(parseCompareSide("main@0").ok).toBe(false);
    expect(parseCompareSide("@5").ok).toBe(false);
    expect(parseCompareSide("").ok).toBe(false);
    for (const side of [{ cluster: "db@2" }, { cluster: "x@" }, { cluster: "a:b", revision: 3 }, { cluster: "ops@prod" }]) {
      expect(parseCompareSide(formatCompareSide(side))).toEqual({ ok: true, side });
    }
  });
});
