import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countLevels, limitNesting, MAX_NESTING_DEPTH, TOO_DEEP } from "./depth";
import { decodeKubernetesProtobufDeep } from "./embedded";
import { decodeValue, encodeKubernetesObject, type JsonObject, type JsonValue } from "./index";
import type { NestingBound } from "./kubernetes-protobuf";

// The nesting limit on Kubernetes protobuf trusts a bound the generated decoders prove while they
// decode (levelsBound in protobuf-decoder.ts) instead of walking the object. These properties hold it
// against the walk on objects that nest through every path the bound counts: recursive messages in
// maps, lists and special types (a CRD's JSONSchemaProps), and embedded JSON documents (FieldsV1, JSON).

type Step = "properties" | "items" | "itemsList" | "allOf" | "additionalProperties" | "not";

function nestedJson(levels: number): JsonValue {
  let value: JsonValue = "leaf";
  for (let i = 0; i < levels; i++) value = i % 2 ? { f: value } : [value];
  return value;
}

/** A JSONSchemaProps nesting through `steps`, with a default of `defaultLevels` levels at step `defaultAt`. */
function schemaOf(steps: Step[], defaultAt: number, defaultLevels: number): JsonObject {
  // A list of strings in the deepest message: the 2d + 2 of the bound.
  let schema: JsonObject = { type: "object", required: ["x"] };
  for (let i = steps.length - 1; i >= 0; i--) {
    if (i === defaultAt) schema.default = nestedJson(defaultLevels);
    const inner = schema;
    switch (steps[i]) {
      case "properties":
        schema = { type: "object", properties: { x: inner } };
        break;
      case "items":
        schema = { type: "array", items: inner };
        break;
      case "itemsList":
        schema = { type: "array", items: [inner, { type: "integer" }] };
        break;
      case "allOf":
        schema = { allOf: [inner] };
        break;
      case "additionalProperties":
        schema = { type: "object", additionalProperties: inner };
        break;
      case "not":
        schema = { not: inner };
        break;
    }
  }
  return schema;
}

function crd(schema: JsonObject, fieldsLevels: number): JsonObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: "widgets.example.com",
      managedFields: [
        { manager: "kubectl", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:spec": nestedJson(fieldsLevels) } },
      ],
    },
    spec: {
      group: "example.com",
      names: { plural: "widgets", kind: "Widget" },
      scope: "Namespaced",
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

const step = fc.constantFrom<Step>("properties", "items", "itemsList", "allOf", "additionalProperties", "not");
const objects = fc
  .record({
    steps: fc.nat({ max: 105 }).chain((length) => fc.array(step, { minLength: length, maxLength: length })),
    defaultAt: fc.double({ min: 0, max: 1, noNaN: true }),
    defaultLevels: fc.nat({ max: 2 * MAX_NESTING_DEPTH }),
    fieldsLevels: fc.nat({ max: MAX_NESTING_DEPTH + 10 }),
  })
  .map(({ steps, defaultAt, defaultLevels, fieldsLevels }) =>
    encodeKubernetesObject(crd(schemaOf(steps, Math.floor(defaultAt * steps.length), defaultLevels), fieldsLevels)),
  );

describe("the nesting bound of decoded Kubernetes protobuf", () => {
  it("is never below the levels the object has, and decodeValue answers as a full walk would", () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(objects, (bytes) => {
        const nesting: NestingBound = { levels: Infinity };
        const decoded = decodeKubernetesProtobufDeep(bytes, {}, 0, nesting);
        const levels = countLevels(decoded.object, Infinity);
        expect(nesting.levels).toBeGreaterThanOrEqual(levels);
        // The reference: the same decode, with the limit applied by walking the object.
        const reference = limitNesting(decodeKubernetesProtobufDeep(bytes, {}), bytes);
        expect(decodeValue(bytes)).toEqual(reference);
        outcomes.add(reference.format === "kubernetes" && reference.error === TOO_DEEP ? "too deep" : "shown");
        if (nesting.levels <= MAX_NESTING_DEPTH) outcomes.add("proved without a walk");
      }),
      { numRuns: 150 },
    );
    // Not vacuous: both sides of the limit were met, and the bound spared the walk on some.
    expect([...outcomes].sort()).toEqual(["proved without a walk", "shown", "too deep"]);
  });

  it("counts an embedded document at the level of the message it replaces", () => {
    // 95 levels of properties put the last schema at message level 99 and JSON level 6 + 2·95 = 196;
    // its default starts at level 197, so four levels of it reach the limit and five go past it.
    const steps = new Array<Step>(95).fill("properties");
    const within = decodeValue(encodeKubernetesObject(crd(schemaOf(steps, 94, 4), 0)));
    expect(within).toMatchObject({ format: "kubernetes", kind: "CustomResourceDefinition" });
    expect(within.format === "kubernetes" && within.error).toBeUndefined();
    const over = decodeValue(encodeKubernetesObject(crd(schemaOf(steps, 94, 5), 0)));
    expect(over).toMatchObject({ format: "kubernetes", object: {}, error: TOO_DEEP });
  });
});
