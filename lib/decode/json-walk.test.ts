import { describe, expect, it } from "vitest";
import { walkJson } from "./json-walk";
import type { JsonValue } from "./types";

describe("walkJson", () => {
  it("visits every value with its path, a container before what it holds", () => {
    const seen: string[] = [];
    walkJson({ a: [1, { b: "x" }], c: null }, ["root"], (child, _name, pathOf) =>
      seen.push(`${pathOf().join(".")}=${JSON.stringify(child)}`),
    );
    expect(seen).toEqual(['root.a=[1,{"b":"x"}]', "root.c=null", "root.a.0=1", 'root.a.1={"b":"x"}', 'root.a.1.b="x"']);
  });

  it("replaces a value in its parent, in objects and arrays", () => {
    const value: JsonValue = { list: ["keep", "secret"], field: "secret" };
    walkJson(value, [], (child, _name, _path, replace) => {
      if (child === "secret") replace("***");
    });
    expect(value).toEqual({ list: ["keep", "***"], field: "***" });
  });

  it("walks the fields a visitor has just replaced, not the ones it removed", () => {
    const value: JsonValue = { outer: { data: { password: "p" } } };
    const strings: string[] = [];
    walkJson(value, [], (child, name) => {
      if (name === "data" && child !== null && typeof child === "object" && !Array.isArray(child)) child.password = "masked";
      if (typeof child === "string") strings.push(child);
    });
    expect(strings).toEqual(["masked"]);
  });

  it("walks values nested far deeper than the call stack allows", () => {
    let deep: JsonValue = "bottom";
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    let strings = 0;
    walkJson(deep, [], (child) => {
      if (typeof child === "string") strings += 1;
    });
    expect(strings).toBe(1);
  });
});
