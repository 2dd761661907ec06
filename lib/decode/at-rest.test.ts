// Values encrypted at rest decode like any other once the API server's keys are installed: a
// decrypted Secret is masked as every Secret is (its last-applied annotation too), and what does
// not open shows its header and why, never content.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { installAtRestKeys } from "@/lib/encryption/installed";
import { parseEncryptionConfiguration } from "@/lib/encryption/keys";
import { encryptionConfigurationFor, sealAtRest, type SealingKey } from "@/scripts/lib/seal-at-rest";
import { decodeValue, encodeKubernetesObject, MASKED_PLACEHOLDER, readMaskedValue } from "./index";
import { LAST_APPLIED_ANNOTATION } from "./secrets";
import type { KubernetesValue } from "./types";

const PASSWORD = "hunter2-at-rest-9b1e";
const SECRET_KEY = "/registry/secrets/shop/db";
const applied = JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: PASSWORD } });
const SECRET = encodeKubernetesObject({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop", annotations: { [LAST_APPLIED_ANNOTATION]: applied } },
  type: "Opaque",
  data: { password: Buffer.from(PASSWORD).toString("base64") },
});

const keyBytes = (key: string) => new TextEncoder().encode(key);

function install(...keys: SealingKey[]): void {
  installAtRestKeys({ keys: parseEncryptionConfiguration(encryptionConfigurationFor(keys)) });
}

afterEach(() => installAtRestKeys(null));

describe("decodeValue of values encrypted at rest", () => {
  it.each(["aescbc", "aesgcm", "secretbox"] as const)("%s: a Secret decrypts, names its key, and is masked until revealed", (provider) => {
    const writer: SealingKey = { provider, name: "key1", secret: randomBytes(32) };
    install(writer);
    const stored = sealAtRest(SECRET, writer, SECRET_KEY);
    const decoded = decodeValue(stored, { key: keyBytes(SECRET_KEY) });
    expect(decoded).toMatchObject({ format: "kubernetes", kind: "Secret", atRest: { provider, keyName: "key1" } });
    expect(JSON.stringify(decoded)).not.toContain(PASSWORD);
    expect(JSON.stringify(decoded)).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    expect((decoded as KubernetesValue).object.data).toEqual({ password: MASKED_PLACEHOLDER });
    const revealed = decodeValue(stored, { key: keyBytes(SECRET_KEY), revealSecrets: true }) as KubernetesValue;
    expect(revealed.object.data).toEqual({ password: Buffer.from(PASSWORD).toString("base64") });
  });

  it("a decrypted Secret stored outside /registry/secrets/ is judged by its plaintext and masked", () => {
    const writer: SealingKey = { provider: "secretbox", name: "key1", secret: randomBytes(32) };
    install(writer);
    const decoded = decodeValue(sealAtRest(SECRET, writer, "/custom/place"), { key: keyBytes("/custom/place") });
    expect(decoded.format).toBe("kubernetes");
    expect(JSON.stringify(decoded)).not.toContain(PASSWORD);
  });

  it("without keys, with a wrong key or an unknown key name: the header and why, nothing of the content", () => {
    const writer: SealingKey = { provider: "aescbc", name: "key1", secret: randomBytes(32) };
    const stored = sealAtRest(SECRET, writer, SECRET_KEY);
    const options = { key: keyBytes(SECRET_KEY), revealSecrets: true };
    expect(decodeValue(stored, options)).toEqual({
      format: "encrypted",
      provider: "aescbc",
      keyName: "key1",
      error: { message: "no encryption configuration is set (ETCDLENS_ENCRYPTION_CONFIG)" },
    });
    install({ ...writer, secret: randomBytes(32) });
    expect(decodeValue(stored, options)).toEqual({
      format: "encrypted",
      provider: "aescbc",
      keyName: "key1",
      error: { message: 'the aescbc key "key1" does not open this value: a wrong key, or a damaged value' },
    });
    install({ ...writer, name: "key2" });
    expect(decodeValue(stored, options)).toMatchObject({
      format: "encrypted",
      error: { message: 'the encryption configuration has no aescbc key named "key1"' },
    });
  });

  it("a decrypted ConfigMap is shown whole, with where it was decrypted from", () => {
    const writer: SealingKey = { provider: "aesgcm", name: "gcm", secret: randomBytes(16) };
    install(writer);
    const configMap = encodeKubernetesObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "n" },
      data: { mode: "on" },
    });
    const decoded = decodeValue(sealAtRest(configMap, writer, "/registry/configmaps/n/c"), { key: keyBytes("/registry/configmaps/n/c") });
    expect(decoded).toMatchObject({
      format: "kubernetes",
      object: { data: { mode: "on" } },
      atRest: { provider: "aesgcm", keyName: "gcm" },
    });
  });

  it.each(["aescbc", "aesgcm", "secretbox"] as const)(
    "%s: one masked value of a decrypted Secret reveals (aesgcm needs its etcd key)",
    (provider) => {
      const writer: SealingKey = { provider, name: "key1", secret: randomBytes(32) };
      install(writer);
      const stored = sealAtRest(SECRET, writer, SECRET_KEY);
      expect(readMaskedValue(stored, ["data", "password"], keyBytes(SECRET_KEY))).toEqual({
        value: Buffer.from(PASSWORD).toString("base64"),
        encoding: "base64",
      });
    },
  );
});
