// Opens a value kube-apiserver encrypted at rest, given the keys of its EncryptionConfiguration.
// The layouts are the API server's (k8s.io/apiserver's storage/value/encrypt): after the
// "k8s:enc:<provider>:v1:<key name>:" header,
// - aescbc: a 16-byte IV, then AES-CBC ciphertext with PKCS#7 padding; nothing is authenticated,
//   so a wrong key shows as bad padding or as plaintext that is no object at all;
// - aesgcm: a 12-byte nonce, then ciphertext and a 16-byte tag, authenticating the etcd key (the
//   storage path) as additional data: a value copied under another key does not open;
// - secretbox: a 24-byte nonce, then NaCl's secretbox (Poly1305 tag, then XSalsa20 ciphertext).
// Several keys may share a provider and name (one per resources entry): each is tried, and for
// aescbc only a plaintext that looks like a stored object counts as opened.
import { createDecipheriv, type CipherGCMTypes } from "node:crypto";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import type { KeySource } from "./installed";
import type { AtRestKey, LocalProvider } from "./keys";
import { readKmsEnvelope, type KmsEnvelope } from "./kms";

export type StoredHeader = { provider: string; version: string; keyName: string };

export type Opened = { ok: true; plaintext: Buffer } | { ok: false; message: string; kms?: KmsEnvelope };

const AES_BLOCK = 16;
const GCM_NONCE = 12;
const GCM_TAG = 16;
const SECRETBOX_NONCE = 24;
const SECRETBOX_TAG = 16;

/** What kube-apiserver stores once decrypted: protobuf ("k8s\0"), JSON, or CBOR (0xd9d9f7). */
function looksStored(plaintext: Buffer): boolean {
  if (plaintext.length >= 4 && plaintext[0] === 0x6b && plaintext[1] === 0x38 && plaintext[2] === 0x73 && plaintext[3] === 0) return true;
  if (plaintext.length >= 3 && plaintext[0] === 0xd9 && plaintext[1] === 0xd9 && plaintext[2] === 0xf7) return true;
  const first = plaintext.subarray(0, 64).toString("latin1").trimStart()[0];
  return first === "{";
}

/**
 * The plaintext of `data` (the bytes after the header) stored under `etcdKey`, or why it cannot
 * be opened. Never throws; never returns bytes that did not authenticate or look like an object.
 */
export function openAtRest(data: Buffer, header: StoredHeader, etcdKey: Uint8Array | undefined, source: KeySource): Opened {
  const keys = source && "keys" in source ? source.keys : null;
  if (header.provider === "kms") {
    const envelope = readKmsEnvelope(data, header.version);
    const configured = keys?.kms.some((kms) => kms.name === header.keyName);
    const why = configured
      ? `decrypting needs the KMS plugin "${header.keyName}", which etcdlens does not call`
      : `no KMS provider named "${header.keyName}" in the encryption configuration`;
    return { ok: false, message: `encrypted by KMS ${header.version}: ${why}`, kms: envelope };
  }
  if (header.provider !== "aescbc" && header.provider !== "aesgcm" && header.provider !== "secretbox") {
    return { ok: false, message: `encrypted by the "${header.provider}" provider, which etcdlens cannot decrypt` };
  }
  if (header.version !== "v1")
    return { ok: false, message: `encrypted by ${header.provider} ${header.version}, a format etcdlens does not know` };
  if (source && "problem" in source) return { ok: false, message: source.problem };
  if (!keys) return { ok: false, message: "no encryption configuration is set (ETCDLENS_ENCRYPTION_CONFIG)" };
  const candidates = keys.keys.filter((key) => key.provider === header.provider && key.name === header.keyName);
  if (candidates.length === 0) {
    return { ok: false, message: `the encryption configuration has no ${header.provider} key named "${header.keyName}"` };
  }
  let failure = "";
  for (const key of candidates) {
    const attempt = openWith(header.provider, key, data, etcdKey);
    if (attempt.ok) return attempt;
    failure = attempt.message;
  }
  return { ok: false, message: failure };
}

function openWith(provider: LocalProvider, key: AtRestKey, data: Buffer, etcdKey: Uint8Array | undefined): Opened {
  const name = `the ${provider} key "${key.name}"`;
  switch (provider) {
    case "aescbc":
      return openCbc(key.secret, data, name);
    case "aesgcm":
      return openGcm(key.secret, data, etcdKey, name);
    case "secretbox":
      return openSecretbox(key.secret, data, name);
  }
}

function openCbc(secret: Buffer, data: Buffer, name: string): Opened {
  if (data.length < 2 * AES_BLOCK) return { ok: false, message: "the aescbc value is shorter than an IV and one block: damaged" };
  const ciphertext = data.subarray(AES_BLOCK);
  if (ciphertext.length % AES_BLOCK !== 0) return { ok: false, message: "the aescbc value is not a whole number of blocks: damaged" };
  const decipher = createDecipheriv(`aes-${secret.length * 8}-cbc`, secret, data.subarray(0, AES_BLOCK));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const padding = padded[padded.length - 1];
  const valid = padding >= 1 && padding <= AES_BLOCK && padded.subarray(padded.length - padding).every((byte) => byte === padding);
  const wrong = { ok: false as const, message: `${name} does not open this value: a wrong key, or a damaged value` };
  if (!valid) return wrong;
  const plaintext = padded.subarray(0, padded.length - padding);
  return looksStored(plaintext) ? { ok: true, plaintext } : wrong;
}

function openGcm(secret: Buffer, data: Buffer, etcdKey: Uint8Array | undefined, name: string): Opened {
  if (data.length < GCM_NONCE + GCM_TAG) return { ok: false, message: "the aesgcm value is shorter than a nonce and a tag: damaged" };
  if (!etcdKey) return { ok: false, message: "aesgcm authenticates the etcd key, which was not given" };
  try {
    const decipher = createDecipheriv(`aes-${secret.length * 8}-gcm` as CipherGCMTypes, secret, data.subarray(0, GCM_NONCE));
    decipher.setAAD(etcdKey);
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG));
    const plaintext = Buffer.concat([decipher.update(data.subarray(GCM_NONCE, data.length - GCM_TAG)), decipher.final()]);
    return { ok: true, plaintext };
  } catch {
    return {
      ok: false,
      message: `${name} does not authenticate this value: a wrong key, a value copied from another etcd key, or a damaged value`,
    };
  }
}

function openSecretbox(secret: Buffer, data: Buffer, name: string): Opened {
  if (data.length < SECRETBOX_NONCE + SECRETBOX_TAG)
    return { ok: false, message: "the secretbox value is shorter than a nonce and a tag: damaged" };
  try {
    const plaintext = xsalsa20poly1305(secret, data.subarray(0, SECRETBOX_NONCE)).decrypt(data.subarray(SECRETBOX_NONCE));
    return { ok: true, plaintext: Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength) };
  } catch {
    return { ok: false, message: `${name} does not authenticate this value: a wrong key, or a damaged value` };
  }
}
