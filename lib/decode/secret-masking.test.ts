// Masking fails closed: whatever happens to a Secret's bytes (cut short, bits flipped, stored as
// text, wrapped in another type), what decodeValue returns never holds a secret value, and the raw
// bytes are judged a Secret so that no view sends them.
import fc from "fast-check";
import { stringify as toYamlText } from "yaml";
import { describe, expect, it } from "vitest";
import { leakForms } from "@/scripts/lib/secret-shapes";
import { decodeValue, encodeKubernetesObject, judgeSecret } from "./index";
import { writeEnvelope } from "./envelope";
import { LAST_APPLIED_ANNOTATION, MASKED_PLACEHOLDER } from "./secrets";
import type { DecodedValue, JsonObject } from "./types";

const PASSWORD = "s3cr3t-password-7f3a9c";
const TOKEN = "s3cr3t-token-41be07";
const KEY = new TextEncoder().encode("/registry/secrets/shop/db");

function appliedSecret(): JsonObject {
  const manifest = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop" },
    data: { password: Buffer.from(PASSWORD).toString("base64") },
    stringData: { token: TOKEN },
  };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db",
      namespace: "shop",
      uid: "u-1",
      annotations: { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(manifest)}\n`, team: "payments" },
    },
    type: "Opaque",
    data: { password: Buffer.from(PASSWORD).toString("base64"), token: Buffer.from(TOKEN).toString("base64") },
  };
}

const SECRET_BYTES = encodeKubernetesObject(appliedSecret());
const NEEDLES = [PASSWORD, TOKEN].flatMap((value) => leakForms(value).map((form) => ({ value, ...form })));

function leaksOf(decoded: DecodedValue): string[] {
  const text = JSON.stringify(decoded);
  return NEEDLES.filter(({ needle }) => text.includes(needle)).map(({ value, form }) => `${form} of ${value}`);
}

describe("masking a Secret", () => {
  it("masks data and the data and stringData inside last-applied-configuration", () => {
    const decoded = decodeValue(SECRET_BYTES, { key: KEY });
    expect(decoded.format).toBe("kubernetes");
    if (decoded.format !== "kubernetes") return;
    expect(leaksOf(decoded)).toEqual([]);
    const annotations = (decoded.object.metadata as JsonObject).annotations as JsonObject;
    const applied = JSON.parse(annotations[LAST_APPLIED_ANNOTATION] as string);
    expect(applied.data.password).toBe(MASKED_PLACEHOLDER);
    expect(applied.stringData.token).toBe(MASKED_PLACEHOLDER);
    expect(applied.metadata.name).toBe("db");
    expect(annotations.team).toBe("payments");
    expect(decoded.masked.map((value) => value.path.join("."))).toEqual([
      "data.password",
      "data.token",
      `metadata.annotations.${LAST_APPLIED_ANNOTATION}`,
    ]);
    // Without masking, the same value shows everything: the check above is not vacuous.
    expect(leaksOf(decodeValue(SECRET_BYTES, { revealSecrets: true })).length).toBeGreaterThan(0);
  });

  it("masks an annotation that does not parse as a whole", () => {
    const object = appliedSecret();
    (object.metadata as JsonObject).annotations = { [LAST_APPLIED_ANNOTATION]: `{"data":{"password":"${PASSWORD}"` };
    const decoded = decodeValue(encodeKubernetesObject(object));
    expect(
      decoded.format === "kubernetes" && ((decoded.object.metadata as JsonObject).annotations as JsonObject)[LAST_APPLIED_ANNOTATION],
    ).toBe(MASKED_PLACEHOLDER);
    expect(leaksOf(decoded)).toEqual([]);
  });

  it("shows a Secret that cannot be decoded as its size only", () => {
    const text = `${JSON.stringify(appliedSecret())}\ntrailing`;
    for (const bytes of [
      SECRET_BYTES.subarray(0, SECRET_BYTES.length - 10),
      new TextEncoder().encode(text),
      new TextEncoder().encode(toYamlText(appliedSecret())),
    ]) {
      const decoded = decodeValue(bytes);
      expect(decoded).toMatchObject({ format: "undecodable-secret", size: bytes.length });
      expect(leaksOf(decoded)).toEqual([]);
    }
  });

  it("shows anything under a secrets key that is not a Secret it can decode as its size only", () => {
    const decoded = decodeValue(new TextEncoder().encode(`password=${PASSWORD}`), { key: KEY });
    expect(decoded.format).toBe("undecodable-secret");
  });

  it("masks a Secret inside a custom resource and inside a type without a schema", () => {
    const resource = {
      apiVersion: "vault.example.com/v1",
      kind: "SecretTemplate",
      metadata: { name: "t" },
      spec: { template: appliedSecret() },
    };
    const json = decodeValue(new TextEncoder().encode(JSON.stringify(resource)));
    expect(json.format).toBe("kubernetes");
    expect(leaksOf(json)).toEqual([]);
    expect(json.format === "kubernetes" && json.masked.map((value) => value.path.join("."))).toContain("spec.template.data.password");

    const spec = new Uint8Array([0x0a, ...varint(SECRET_BYTES.length), ...SECRET_BYTES]);
    const unknown = writeEnvelope("vault.example.com/v1", "SecretCopy", new Uint8Array([0x12, ...varint(spec.length), ...spec]));
    const decoded = decodeValue(unknown);
    expect(decoded.format).toBe("kubernetes");
    expect(leaksOf(decoded)).toEqual([]);
    expect(judgeSecret(unknown)).toBe("content");
  });
});

/** The envelope's bytes up to the object: "k8s\0", typeMeta and the raw field's tag and length. */
const ENVELOPE_END = 4 + 2 + SECRET_BYTES[5] + 1 + varint(SECRET_BYTES.length).length;

describe("masking on damaged Secret bytes", () => {
  it("never lets a value through a truncation, with or without the key", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SECRET_BYTES.length }), fc.boolean(), (cut, withKey) => {
        const bytes = SECRET_BYTES.subarray(0, cut);
        const decoded = decodeValue(bytes, withKey ? { key: KEY } : {});
        expect(leaksOf(decoded)).toEqual([]);
        // Where the bytes still hold a value, they are judged a Secret, so raw and hex views stay closed.
        if (Buffer.from(bytes).includes(PASSWORD) || Buffer.from(bytes).includes(TOKEN)) expect(judgeSecret(bytes)).toBeDefined();
      }),
      { numRuns: 1500, seed: 3 },
    );
  }, 30_000);

  it("never lets a value through bit flips under a secrets key", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const bytes = new Uint8Array(SECRET_BYTES);
        for (const [at, bit] of flips) bytes[at % bytes.length] ^= 1 << bit;
        expect(leaksOf(decodeValue(bytes, { key: KEY }))).toEqual([]);
        expect(judgeSecret(bytes, KEY)).toBe("key");
      }),
      { numRuns: 2000, seed: 5 },
    );
  }, 30_000);

  it("never lets a value through bit flips past the envelope, without the key", () => {
    let undecodable = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const bytes = new Uint8Array(SECRET_BYTES);
        for (const [at, bit] of flips) bytes[ENVELOPE_END + (at % (bytes.length - ENVELOPE_END))] ^= 1 << bit;
        const decoded = decodeValue(bytes);
        if (decoded.format === "undecodable-secret") undecodable++;
        expect(leaksOf(decoded)).toEqual([]);
        expect(judgeSecret(bytes)).toBeDefined();
      }),
      { numRuns: 2000, seed: 9 },
    );
    // The flips must reach the fail-closed path, or this proves only the happy one.
    expect(undecodable).toBeGreaterThan(100);
  }, 30_000);
});

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

describe("references to Secrets", () => {
  it("leave a {kind: Secret, name} reference in a custom resource as it is", () => {
    const release = {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "web" },
      spec: { valuesFrom: [{ kind: "Secret", name: "web-values", valuesKey: "values.yaml" }] },
    };
    const decoded = decodeValue(new TextEncoder().encode(JSON.stringify(release)));
    expect(decoded.format).toBe("kubernetes");
    expect(decoded.format === "kubernetes" && decoded.object.spec).toEqual(release.spec);
  });
});

describe("a Secret written as text inside another object", () => {
  it("masks a ConfigMap value that holds a Secret manifest as YAML, and keeps the other values", () => {
    const manifest = toYamlText({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { token: TOKEN } });
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "manifests", namespace: "shop" },
      data: { "secret.yaml": manifest, "plain.txt": "hello" },
    };
    const bytes = encodeKubernetesObject(configMap);
    const decoded = decodeValue(bytes);
    expect(judgeSecret(bytes)).toBe("content");
    expect(decoded.format).toBe("kubernetes");
    if (decoded.format !== "kubernetes") return;
    expect(leaksOf(decoded)).toEqual([]);
    expect(decoded.object.data).toEqual({ "secret.yaml": MASKED_PLACEHOLDER, "plain.txt": "hello" });
    expect(decoded.masked.map((value) => value.path.join("."))).toEqual(["data.secret.yaml"]);
  });
});
