// decodeToJsonText must print exactly what JSON.stringify prints for the object path's object, for every
// fixture and for mutated bytes; unusual values may take the object path, but the text never differs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeToJsonText, decodeValue, encodeKubernetesObject, type DecodeOptions, type JsonObject } from "./index";

const fixturesDir = process.env.ETCDLENS_FIXTURES_DIR || path.resolve(process.cwd(), "../shared/fixtures/k8s-api/HEAD");
const fixtures = existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((name) => name.endsWith(".pb")).sort() : [];

/** "apps.v1.Deployment.pb" -> { apiVersion: "apps/v1", kind: "Deployment" }; "core" is the legacy group. */
function typeOf(fileName: string): { apiVersion: string; kind: string } {
  const parts = fileName.replace(/\.pb$/, "").split(".");
  const kind = parts.pop()!;
  const version = parts.pop()!;
  const group = parts.join(".");
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/** The text path's answer next to the object path's, both as they would be sent. */
function both(bytes: Uint8Array, options: DecodeOptions): { text: unknown; expected: unknown } {
  const viaText = decodeToJsonText(bytes, options);
  const viaObject = decodeValue(bytes, options);
  if (viaObject.format !== "kubernetes") return { text: viaText, expected: viaObject };
  const { object, ...rest } = viaObject;
  const { text, via: _via, ...restOfText } = viaText as typeof viaText & { text: string; via: string };
  return { text: { ...restOfText, text }, expected: { ...rest, text: JSON.stringify(object) } };
}

const optionSets: DecodeOptions[] = [{ revealSecrets: true }, { modRevision: 4242 }, {}];

describe.skipIf(fixtures.length === 0)(`decodeToJsonText on the fixtures in ${fixturesDir}`, () => {
  it.each(fixtures)("%s prints the same JSON as the object path", (name) => {
    const bytes = new Uint8Array(readFileSync(path.join(fixturesDir, name)));
    for (const options of optionSets) {
      const { text, expected } = both(bytes, { ...options, typeHint: typeOf(name) });
      expect(text).toEqual(expected);
    }
  });

  it("takes the text path for every fixture of a known, non-Secret type", () => {
    const slow = fixtures.filter((name) => {
      const bytes = new Uint8Array(readFileSync(path.join(fixturesDir, name)));
      const result = decodeToJsonText(bytes, { revealSecrets: true, typeHint: typeOf(name) });
      return result.format === "kubernetes" && result.via !== "text";
    });
    expect(slow).toEqual([]);
  });

  it("never throws on mutated fixtures, and matches the object path or falls back to it", () => {
    const seeds = fixtures.map((name) => new Uint8Array(readFileSync(path.join(fixturesDir, name))));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (seedIndex, edits, cut) => {
          const bytes = new Uint8Array(seeds[seedIndex]);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const mutated = cut % 4 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
          const { text, expected } = both(mutated, { modRevision: 7 });
          expect(text).toEqual(expected);
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });
});

describe("decodeToJsonText on shapes the fixtures do not have", () => {
  const cases: Record<string, JsonObject> = {
    "unsorted, integer-like and unusual map keys": {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "m", labels: { b: "1", a: "2", "10": "x", "2": "y", __proto__x: "z" } },
      data: { "é": "ü\u0000\"\\\u2028", "": "", z: "a".repeat(200) },
    },
    "empty object": { apiVersion: "v1", kind: "ConfigMap" },
    "Secret (masked: object path)": { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "dmFsdWU=" } },
  };
  it.each(Object.keys(cases))("%s", (name) => {
    const bytes = encodeKubernetesObject(cases[name]);
    for (const options of optionSets) {
      const { text, expected } = both(bytes, options);
      expect(text).toEqual(expected);
    }
  });

  it("passes values that are not Kubernetes protobuf through as decodeValue returns them", () => {
    for (const value of ["", "plain text", '{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}']) {
      const { text, expected } = both(new TextEncoder().encode(value), {});
      expect(text).toEqual(expected);
    }
  });
});
