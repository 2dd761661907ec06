import { describe, expect, it } from "vitest";
import { countColumns, countWidestColumns } from "./columns";

describe("countColumns", () => {
  it("counts printable ASCII one column a character", () => {
    expect(countColumns('  "sku": "SKU-000000",')).toBe(22);
  });

  it("takes a tab to the next multiple of eight", () => {
    expect(countColumns("\tx")).toBe(9);
    expect(countColumns("abc\tx")).toBe(9);
    expect(countColumns("abcdefgh\tx")).toBe(17);
  });

  it("counts wide characters (CJK, fullwidth, emoji) two columns and a surrogate pair as one character", () => {
    expect(countColumns("日本語")).toBe(6);
    expect(countColumns("ünïcødé")).toBe(7);
    expect(countColumns("a😀b")).toBe(4);
  });
});

describe("countWidestColumns", () => {
  it("finds the widest line, also when a shorter string is wider on screen", () => {
    expect(countWidestColumns(["short", "a longer line", "日本語日本語日本語"])).toBe(18);
    expect(countWidestColumns([])).toBe(0);
  });
});
