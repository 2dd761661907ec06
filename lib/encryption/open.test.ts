// Values sealed the way kube-apiserver seals them (scripts/lib/seal-at-rest.ts follows its layouts)
// open with the right key, and with a wrong key, another etcd key, damage or a missing key name
// give a message and never bytes.
import { randomBytes } from "node:crypto";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { encryptionConfigurationFor, sealAtRest, type SealingKey } from "@/scripts/lib/seal-at-rest";
import { parseEncryptionConfiguration, type AtRestKeys } from "./keys";
import { openAtRest, type Opened, type StoredHeader } from "./open";

const ETCD_KEY = "/registry/secrets/shop/db";
const PLAINTEXT = Buffer.concat([Buffer.from("k8s\0", "latin1"), Buffer.from("\n\x0c\n\x02v1\x12\x06Secret", "latin1"), randomBytes(300)]);

function key(provider: SealingKey["provider"], name: string, size = 32): SealingKey {
  return { provider, name, secret: randomBytes(size) };
}

function keysOf(...keys: SealingKey[]): { keys: AtRestKeys } {
  return { keys: parseEncryptionConfiguration(encryptionConfigurationFor(keys)) };
}

function open(sealed: Buffer, source: ReturnType<typeof keysOf> | null, etcdKey = ETCD_KEY): Opened {
  const text = sealed.subarray(0, 80).toString("latin1");
  const [, , provider, version, keyName] = text.split(":");
  const header: StoredHeader = { provider, version, keyName };
  const start = `k8s:enc:${provider}:${version}:${keyName}:`.length;
  return openAtRest(sealed.subarray(start), header, Buffer.from(etcdKey), source);
}

describe("openAtRest", () => {
  it.each(["aescbc", "aesgcm", "secretbox"] as const)("%s: the right key opens exactly the plaintext", (provider) => {
    const writer = key(provider, "key1");
    expect(open(sealAtRest(PLAINTEXT, writer, ETCD_KEY), keysOf(writer))).toEqual({ ok: true, plaintext: PLAINTEXT });
  });

  it("AES keys of 16 and 24 bytes open too", () => {
    for (const size of [16, 24]) {
      for (const provider of ["aescbc", "aesgcm"] as const) {
        const writer = key(provider, "short", size);
        expect(open(sealAtRest(PLAINTEXT, writer, ETCD_KEY), keysOf(writer))).toEqual({ ok: true, plaintext: PLAINTEXT });
      }
    }
  });

  it("a rotation: the old key, listed second, still opens what it wrote, picked by its name", () => {
    for (const provider of ["aescbc", "aesgcm", "secretbox"] as const) {
      const [newer, older] = [key(provider, "key2"), key(provider, "key1")];
      const keys = keysOf(newer, older);
      expect(open(sealAtRest(PLAINTEXT, older, ETCD_KEY), keys)).toEqual({ ok: true, plaintext: PLAINTEXT });
      expect(open(sealAtRest(PLAINTEXT, newer, ETCD_KEY), keys)).toEqual({ ok: true, plaintext: PLAINTEXT });
    }
  });

  it("two keys sharing a provider and name (two resources entries): the one that opens is found", () => {
    const writer = key("aesgcm", "key1");
    const other = key("aesgcm", "key1");
    expect(open(sealAtRest(PLAINTEXT, writer, ETCD_KEY), keysOf(other, writer))).toEqual({ ok: true, plaintext: PLAINTEXT });
  });

  it.each(["aescbc", "aesgcm", "secretbox"] as const)(
    "%s: a wrong key under the right name opens nothing, however often it is tried",
    (provider) => {
      const sealed = sealAtRest(PLAINTEXT, key(provider, "key1"), ETCD_KEY);
      // A random aescbc key yields valid padding about once in 256 tries: only the object check stops those.
      for (let attempt = 0; attempt < 3000; attempt++) {
        const opened = open(sealed, { keys: { keys: [key(provider, "key1")], kms: [] } });
        expect(opened.ok).toBe(false);
        if (!opened.ok) expect(opened.message).toMatch(/wrong key/);
      }
    },
  );

  it("aesgcm authenticates the etcd key: a value copied under another key does not open", () => {
    const writer = key("aesgcm", "key1");
    const opened = open(sealAtRest(PLAINTEXT, writer, ETCD_KEY), keysOf(writer), "/registry/secrets/shop/other");
    expect(opened).toEqual({ ok: false, message: expect.stringMatching(/copied from another etcd key/) });
  });

  it("aescbc and secretbox do not bind the etcd key: a copied value opens", () => {
    for (const provider of ["aescbc", "secretbox"] as const) {
      const writer = key(provider, "key1");
      expect(open(sealAtRest(PLAINTEXT, writer, ETCD_KEY), keysOf(writer), "/registry/secrets/elsewhere/x").ok).toBe(true);
    }
  });

  it.each(["aescbc", "aesgcm", "secretbox"] as const)("%s: a flipped byte or a cut value gives a message, never bytes", (provider) => {
    const writer = key(provider, "key1");
    const sealed = sealAtRest(PLAINTEXT, writer, ETCD_KEY);
    const header = `k8s:enc:${provider}:v1:key1:`.length;
    for (let at = header; at < sealed.length; at += 7) {
      const flipped = Buffer.from(sealed);
      flipped[at] ^= 0x40;
      const opened = open(flipped, keysOf(writer));
      // A flip in an aescbc IV or first block only garbles the first block: the object's framing no longer reads.
      expect(opened.ok && opened.plaintext.equals(PLAINTEXT)).toBe(false);
    }
    for (const length of [header, header + 5, header + 20, sealed.length - 1]) {
      expect(open(sealed.subarray(0, length), keysOf(writer)).ok).toBe(false);
    }
  });

  it("names what is missing: no configuration, no key of that name, a configuration that did not load", () => {
    const sealed = sealAtRest(PLAINTEXT, key("secretbox", "key9"), ETCD_KEY);
    expect(open(sealed, null)).toEqual({ ok: false, message: "no encryption configuration is set (ETCDLENS_ENCRYPTION_CONFIG)" });
    expect(open(sealed, keysOf(key("secretbox", "key1")))).toEqual({
      ok: false,
      message: 'the encryption configuration has no secretbox key named "key9"',
    });
    expect(open(sealed, keysOf(key("aescbc", "key9")))).toEqual({
      ok: false,
      message: 'the encryption configuration has no secretbox key named "key9"',
    });
    const header: StoredHeader = { provider: "secretbox", version: "v1", keyName: "key9" };
    expect(openAtRest(sealed, header, undefined, { problem: "the configuration could not be read" })).toEqual({
      ok: false,
      message: "the configuration could not be read",
    });
    expect(openAtRest(sealed, { provider: "rot13", version: "v1", keyName: "k" }, undefined, null)).toEqual({
      ok: false,
      message: 'encrypted by the "rot13" provider, which etcdlens cannot decrypt',
    });
  });

  it("KMS: v1 and v2 envelopes tell their key ID and DEK size, and say the plugin is needed", () => {
    const dek = randomBytes(256);
    const v1 = Buffer.concat([Buffer.from([0x01, 0x00]), dek, randomBytes(90)]);
    const kmsKeys = { keys: { keys: [], kms: [{ name: "vault", apiVersion: "v2" }] } };
    expect(openAtRest(v1, { provider: "kms", version: "v1", keyName: "vault" }, undefined, kmsKeys)).toEqual({
      ok: false,
      message: 'encrypted by KMS v1: decrypting needs the KMS plugin "vault", which etcdlens does not call',
      kms: { encryptedDekBytes: 256, dataBytes: 90 },
    });
    const v2 = Buffer.from(
      protobuf.Writer.create().uint32(10).bytes(randomBytes(70)).uint32(18).string("key-id-42").uint32(26).bytes(dek).finish(),
    );
    expect(openAtRest(v2, { provider: "kms", version: "v2", keyName: "other" }, undefined, kmsKeys)).toEqual({
      ok: false,
      message: 'encrypted by KMS v2: no KMS provider named "other" in the encryption configuration',
      kms: { keyId: "key-id-42", encryptedDekBytes: 256, dataBytes: 70 },
    });
    expect(
      openAtRest(Buffer.from([0x05, 0x00, 1]), { provider: "kms", version: "v1", keyName: "vault" }, undefined, kmsKeys),
    ).toMatchObject({
      ok: false,
      kms: { damaged: "its DEK length runs past the value" },
    });
  });
});

describe("parseEncryptionConfiguration", () => {
  it("reads every local key and KMS provider of every resources entry", () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - {name: key2, secret: ${randomBytes(32).toString("base64")}}
            - {name: key1, secret: ${randomBytes(32).toString("base64")}}
      - kms: {apiVersion: v2, name: vault, endpoint: unix:///tmp/kms.sock}
      - identity: {}
  - resources: ["*.apps"]
    providers:
      - secretbox: {keys: [{name: box, secret: ${randomBytes(32).toString("base64")}}]}
      - aesgcm: {keys: [{name: gcm, secret: ${randomBytes(16).toString("base64")}}]}
`;
    const keys = parseEncryptionConfiguration(text);
    expect(keys.keys.map((entry) => `${entry.provider}:${entry.name}:${entry.secret.length}`)).toEqual([
      "aescbc:key2:32",
      "aescbc:key1:32",
      "secretbox:box:32",
      "aesgcm:gcm:16",
    ]);
    expect(keys.kms).toEqual([{ name: "vault", apiVersion: "v2" }]);
  });

  it("refuses what the API server would refuse, naming the key but never its secret", () => {
    const secret = randomBytes(20).toString("base64");
    const cases: [string, RegExp][] = [
      [
        `kind: EncryptionConfiguration\nresources:\n  - providers:\n      - secretbox: {keys: [{name: k, secret: ${secret}}]}`,
        /secretbox key "k" is 20 bytes; secretbox takes 32/,
      ],
      [
        `kind: EncryptionConfiguration\nresources:\n  - providers:\n      - aescbc: {keys: [{name: k, secret: "not base64!"}]}`,
        /aescbc key "k" is not base64/,
      ],
      ["kind: Deployment\nresources: []", /kind must be EncryptionConfiguration/],
      ["kind: EncryptionConfiguration\nresources: [", /not YAML/],
      ["kind: EncryptionConfiguration\nresources:\n  - providers: []", /not valid at resources.0.providers/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseEncryptionConfiguration(text)).toThrow(message);
      try {
        parseEncryptionConfiguration(text);
      } catch (error) {
        expect(String(error)).not.toContain(secret);
      }
    }
  });
});
