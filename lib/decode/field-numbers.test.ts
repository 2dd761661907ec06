import { Encoder } from "cbor-x";
import { describe, expect, it } from "vitest";
import { showsFieldNumbers } from "./field-numbers";
import { decodeValue, type KubernetesValue } from "./index";

const text = (value: string) => new TextEncoder().encode(value);

function decodeObject(bytes: Uint8Array): KubernetesValue {
  const decoded = decodeValue(bytes);
  if (decoded.format !== "kubernetes") throw new Error(`expected a Kubernetes object, got ${decoded.format}`);
  return decoded;
}

describe("showsFieldNumbers", () => {
  it("is false for a custom resource stored as JSON: every field has its name though no schema is known", () => {
    const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 2, color: "blue" } };
    const decoded = decodeObject(text(JSON.stringify(widget)));
    expect(decoded).toMatchObject({ encoding: "json", known: false, object: { spec: { size: 2, color: "blue" } } });
    expect(showsFieldNumbers(decoded)).toBe(false);
  });

  it("is false for a custom resource stored as CBOR", () => {
    const bytes = new Uint8Array([
      0xd9,
      0xd9,
      0xf7,
      ...new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false }).encode({
        apiVersion: "example.com/v1",
        kind: "Widget",
        spec: { size: 2 },
      }),
    ]);
    const decoded = decodeObject(bytes);
    expect(decoded).toMatchObject({ encoding: "cbor", known: false, object: { spec: { size: 2 } } });
    expect(showsFieldNumbers(decoded)).toBe(false);
  });

  it("is true for a protobuf object whose type has no schema: its fields after metadata come out by number", () => {
    // A made-up Widget: metadata (1) { name (1) "w" }, spec (2) { size (1) 7 }.
    const raw = [0x0a, 0x03, 0x0a, 0x01, 0x77, 0x12, 0x02, 0x08, 0x07];
    const typeMeta = [0x0a, 0x0e, ...text("example.com/v1"), 0x12, 0x06, ...text("Widget")];
    const bytes = new Uint8Array([...text("k8s\u0000"), 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]);
    const decoded = decodeObject(bytes);
    expect(decoded.object).toMatchObject({ "2": { "1": 7 } });
    expect(showsFieldNumbers(decoded)).toBe(true);
  });
});
