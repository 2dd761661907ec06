import { stringify as toYamlText } from "yaml";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeKubernetesObject } from "./index";
import { holdsSecretMarker, isSecretKey, judgeSecret, readEnvelopeKind } from "./secret-detection";

const bytes = (text: string) => new TextEncoder().encode(text);
const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, data: { password: "aHVudGVyMg==" } };
const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "db", namespace: "shop" }, data: { a: "b" } };

describe("judging a Secret by its key", () => {
  it("takes any prefix before the secrets resource path", () => {
    for (const key of [
      "/registry/secrets/shop/db",
      "/kubernetes.io/secrets/kube-system/token",
      "secrets/a/b",
      "/tenant-1/registry/secrets/ns/n",
    ]) {
      expect(isSecretKey(bytes(key)), key).toBe(true);
    }
  });

  it("leaves other resources and folders alone", () => {
    for (const key of [
      "/registry/configmaps/shop/secrets",
      "/registry/secrets/shop",
      "/registry/secrets/",
      "/registry/mysecrets/a/b",
      "/registry/secrets/a/b/c",
    ]) {
      expect(isSecretKey(bytes(key)), key).toBe(false);
    }
  });
});

describe("judging a Secret by its bytes", () => {
  it("reads the envelope's kind even when the rest is cut off", () => {
    const whole = encodeKubernetesObject(secret);
    expect(readEnvelopeKind(whole)).toBe("Secret");
    // "k8s\0", tag, length, apiVersion (4 bytes), kind tag, length, "Secret": 18 bytes are enough.
    expect(readEnvelopeKind(whole.subarray(0, 18))).toBe("Secret");
    expect(judgeSecret(whole.subarray(0, 18))).toBe("envelope");
    expect(readEnvelopeKind(encodeKubernetesObject(configMap))).toBe("ConfigMap");
  });

  it("finds kind Secret in JSON, YAML, JSON inside a string, and a nested protobuf TypeMeta", () => {
    expect(judgeSecret(bytes(JSON.stringify(secret)))).toBe("content");
    expect(judgeSecret(bytes(`${JSON.stringify(secret)} and trailing text`))).toBe("content");
    expect(judgeSecret(bytes(toYamlText(secret)))).toBe("content");
    expect(judgeSecret(bytes("kind: 'Secret'\n"))).toBe("content");
    expect(judgeSecret(bytes(JSON.stringify({ note: JSON.stringify(secret) })))).toBe("content");
    const nested = new Uint8Array([0x01, 0x02, ...encodeKubernetesObject(secret)]);
    expect(holdsSecretMarker(nested)).toBe(true);
  });

  it("does not take other words or mentions for a Secret", () => {
    for (const text of [
      JSON.stringify(configMap),
      "kind: SecretProviderClass\n",
      "resources: [secrets]",
      "a Secret is mentioned here",
      '{"kind":"Secrets"}',
    ]) {
      expect(judgeSecret(bytes(text)), text).toBeUndefined();
    }
    expect(judgeSecret(encodeKubernetesObject(configMap))).toBeUndefined();
    expect(judgeSecret(new Uint8Array(0))).toBeUndefined();
  });

  it("prefers the key, which needs no bytes at all", () => {
    expect(judgeSecret(new Uint8Array([0xff]), bytes("/registry/secrets/a/b"))).toBe("key");
  });

  it("never throws, whatever the bytes and key", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), (value, key) => {
        const withMagic = new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...value]);
        for (const candidate of [value, withMagic]) {
          const reason = judgeSecret(candidate, key);
          expect(reason === undefined || ["key", "envelope", "content"].includes(reason)).toBe(true);
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
