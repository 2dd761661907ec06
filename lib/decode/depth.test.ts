import { describe, expect, it } from "vitest";
import { diffValues, renderForDiff, summarizeVersion } from "@/lib/diff";
import { describeVersions } from "@/lib/diff/lifecycle";
import { decodeValue, encodeKubernetesObject, type JsonObject, type JsonValue } from "./index";
import { exceedsDepth, MAX_NESTING_DEPTH, yamlNestingBound } from "./depth";
import { writeEnvelope } from "./envelope";
import { toYaml } from "./yaml";

const text = (value: string) => new TextEncoder().encode(value);

function nestedObject(depth: number, leaf: JsonValue = 1): JsonValue {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const deepJson = (depth: number, leaf = 1) => `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
const deepCbor = (depth: number) => new Uint8Array([0xd9, 0xd9, 0xf7, ...new Array(depth).fill(0x81), 0x01]);

describe("exceedsDepth", () => {
  it("counts levels of arrays and objects, scalars not", () => {
    expect(exceedsDepth(1, 0)).toBe(false);
    expect(exceedsDepth({}, 0)).toBe(true);
    expect(exceedsDepth({ a: [1] }, 2)).toBe(false);
    expect(exceedsDepth({ a: [1] }, 1)).toBe(true);
    expect(exceedsDepth({ a: 1, b: { c: [{ d: 1 }] } }, 3)).toBe(true);
    expect(exceedsDepth({ a: 1, b: { c: [{ d: 1 }] } }, 4)).toBe(false);
  });

  it("answers for a million levels without running out of stack", () => {
    expect(exceedsDepth(nestedObject(1_000_000))).toBe(true);
    expect(exceedsDepth(nestedObject(MAX_NESTING_DEPTH))).toBe(false);
    expect(exceedsDepth(nestedObject(MAX_NESTING_DEPTH + 1))).toBe(true);
  });
});

describe("yamlNestingBound", () => {
  it("is at least the real depth of block, compact and flow nesting", () => {
    expect(yamlNestingBound("a: 1\nb: 2\n")).toBeGreaterThanOrEqual(1);
    expect(yamlNestingBound("a:\n  b:\n    c: 1\n")).toBeGreaterThanOrEqual(3);
    expect(yamlNestingBound("- - - 1\n")).toBeGreaterThanOrEqual(3);
    expect(yamlNestingBound("x: [[[1]]]\n")).toBeGreaterThanOrEqual(4);
    expect(yamlNestingBound(`${"- ".repeat(5000)}1\n`)).toBeGreaterThan(MAX_NESTING_DEPTH);
  });
});

describe("decodeValue with values nested beyond the limit", () => {
  it.each([MAX_NESTING_DEPTH + 1, 5_000, 100_000])("shows %i-deep JSON as its text", (depth) => {
    expect(decodeValue(text(deepJson(depth)))).toEqual({ format: "text", text: deepJson(depth) });
    const arrays = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(decodeValue(text(arrays))).toEqual({ format: "text", text: arrays });
  });

  it.each([5_000, 100_000])("shows %i-deep YAML as its text", (depth) => {
    for (const yaml of [`---\n${"[".repeat(depth)}1${"]".repeat(depth)}\n`, `${"- ".repeat(depth)}1\n- 2\n`]) {
      expect(decodeValue(text(yaml))).toEqual({ format: "text", text: yaml });
    }
  });

  it.each([MAX_NESTING_DEPTH + 1, 5_000, 100_000])("says why %i-deep CBOR is not shown", (depth) => {
    const value = decodeValue(deepCbor(depth));
    expect(value).toMatchObject({ format: "cbor", data: null, error: { message: expect.stringMatching(/too deeply nested to display/) } });
  });

  it("keeps a too-deep Kubernetes JSON object's type but shows none of it", () => {
    const object = `{"apiVersion":"v1","kind":"ConfigMap","data":${deepJson(5_000)}}`;
    const value = decodeValue(text(object));
    expect(value).toMatchObject({
      format: "kubernetes",
      kind: "ConfigMap",
      object: {},
      error: { message: expect.stringMatching(/nested deeper than/) },
    });
  });

  it("does not print a too-deep document embedded in a Kubernetes object", () => {
    // A ControllerRevision's data is a RawExtension: a whole JSON document inside the protobuf.
    const bytes = encodeKubernetesObject({
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: "web-1", namespace: "shop" },
      revision: 1,
      data: nestedObject(1_000) as JsonObject,
    });
    const value = decodeValue(bytes);
    expect(value.format).toBe("kubernetes");
    expect(JSON.stringify(value)).toMatch(/embedded document nested deeper than 200 levels: 6001 bytes/);
  });

  it("leaves values at the limit to every walk after decoding: YAML, diff, summary, JSON", () => {
    const old = decodeValue(text(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", data: nestedObject(MAX_NESTING_DEPTH - 1, 1) })));
    const next = decodeValue(text(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", data: nestedObject(MAX_NESTING_DEPTH - 1, 2) })));
    expect(old.format).toBe("kubernetes");
    expect(diffValues(old, next)).toHaveLength(1);
    expect(summarizeVersion(old, next)).toMatch(/1 → 2/);
    expect(renderForDiff(next).language).toBe("yaml");
    expect(toYaml(nestedObject(MAX_NESTING_DEPTH))).toContain("a:");
    expect(JSON.parse(JSON.stringify(next))).toEqual(next);
    const versions = [
      { type: "PUT" as const, revision: 3, version: 2, createRevision: 2, value: text(deepJson(100_000, 2)) },
      { type: "PUT" as const, revision: 2, version: 1, createRevision: 2, value: text(deepJson(100_000, 1)) },
    ];
    expect(describeVersions(versions, undefined, true).map((meaning) => meaning.summary)).toEqual([null, "created"]);
  });
});

describe("decodeValue with protobuf nested beyond the limit", () => {
  /** Field 1, length-delimited, inside itself `depth` times: linear to build, however deep. */
  function nestedMessage(depth: number): Uint8Array {
    const lengths = new Array<number>(depth + 1).fill(0);
    const varintLength = (value: number) => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4);
    for (let level = depth - 1; level >= 0; level--) lengths[level] = 1 + varintLength(lengths[level + 1]) + lengths[level + 1];
    const out: number[] = [];
    for (let level = 0; level < depth; level++) {
      out.push(0x0a);
      let value = lengths[level + 1];
      while (value >= 0x80) {
        out.push((value & 0x7f) | 0x80);
        value >>>= 7;
      }
      out.push(value);
    }
    return Uint8Array.from(out);
  }

  it.each([5_000, 100_000])("decodes %i nested messages of an unknown type within the limit", (depth) => {
    const bytes = writeEnvelope("example.com/v1", "Deep", nestedMessage(depth));
    const value = decodeValue(bytes);
    expect(value).toMatchObject({ format: "kubernetes", kind: "Deep" });
    expect(exceedsDepth(value)).toBe(false);
    expect(() => JSON.stringify(value)).not.toThrow();
  });

  it.each([5_000, 100_000])("decodes %i nested messages in a known type within the limit", (depth) => {
    // ConfigMap field 1 is its ObjectMeta; the nesting then goes on in fields the schema does not know.
    const value = decodeValue(writeEnvelope("v1", "ConfigMap", nestedMessage(depth)));
    expect(value.format).toBe("kubernetes");
    expect(exceedsDepth(value)).toBe(false);
    expect(() => JSON.stringify(value)).not.toThrow();
  });
});
