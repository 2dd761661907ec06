import { describe, expect, it } from "vitest";
import { safeNextPath } from "./next-path";

describe("safeNextPath", () => {
  it.each([
    "/",
    "/keys/registry/clusterroles/system:aggregate-to-admin",
    "/keys/a%20b/%C3%A9t%C3%A9?rev=5&cluster=second",
    "/keys/%FF%00?x=%2F%2F",
    "/keys/a//b",
    "/changes#top",
  ])("keeps %j byte for byte", (next) => {
    expect(safeNextPath(next)).toBe(next);
  });

  it.each([
    null,
    "",
    "//evil.example",
    "//evil.example/keys",
    "/\\evil.example",
    "\\\\evil.example",
    "/keys\\..\\..",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil",
    "/keys/été",
  ])("refuses %j", (next) => {
    expect(safeNextPath(next)).toBeUndefined();
  });
});
