import { describe, expect, it } from "vitest";
import { decodeValue, encodeKubernetesObject } from "@/lib/decode";
import { LAST_APPLIED_ANNOTATION } from "@/lib/decode/secrets";
import type { JsonObject } from "@/lib/decode/types";
import { diffValues, summarizeBytes, summarizeVersion } from "./index";

// Diffs of Secrets say only "changed" and the lengths: never a value, not even a masked
// annotation's text, and a change hidden inside last-applied-configuration still shows.

function secret(password: string, note: string): Uint8Array {
  const manifest = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop" },
    data: { password: Buffer.from(password).toString("base64") },
  };
  const object: JsonObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop", annotations: { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(manifest)}\n`, note } },
    data: { password: Buffer.from(password).toString("base64") },
  };
  return encodeKubernetesObject(object);
}

describe("diffing Secrets", () => {
  it("says a masked value changed, with its lengths, once per path", () => {
    const changes = diffValues(decodeValue(secret("s3cr3t-one", "a")), decodeValue(secret("s3cr3t-twelve", "a")));
    const masked = changes.filter((item) => item.masked);
    expect(masked.map((item) => item.path).sort()).toEqual(["data.password", `metadata.annotations["${LAST_APPLIED_ANNOTATION}"]`]);
    expect(masked.find((item) => item.path === "data.password")).toMatchObject({
      kind: "changed",
      old: "<masked>",
      new: "<masked>",
      oldLength: 10,
      newLength: 13,
    });
    for (const item of masked) expect(JSON.stringify(item)).not.toMatch(/s3cr3t|czNjcjN0/);
    expect(summarizeVersion(decodeValue(secret("s3cr3t-one", "a")), decodeValue(secret("s3cr3t-twelve", "a")))).toContain(
      "data.password: changed (masked)",
    );
  });

  it("says nothing changed when only the values are equal again", () => {
    const changes = diffValues(decodeValue(secret("s3cr3t-one", "a")), decodeValue(secret("s3cr3t-one", "b")));
    expect(changes.filter((item) => !item.noise).map((item) => item.path)).toEqual(["metadata.annotations.note"]);
  });

  it("tells only sizes and equality of a Secret's bytes", () => {
    const summary = summarizeBytes(new Uint8Array([1, 2, 3]), new Uint8Array([1, 9, 3, 4]), { secret: true });
    expect(summary).toEqual({ oldSize: 3, newSize: 4, equal: false, firstDifference: null, differingBytes: null });
    expect(summarizeBytes(new Uint8Array([1]), new Uint8Array([1]), { secret: true }).equal).toBe(true);
  });
});
