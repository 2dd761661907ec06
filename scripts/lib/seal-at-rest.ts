// Encrypts a value the way kube-apiserver's local providers store it (k8s.io/apiserver's
// storage/value/encrypt), for the tests and the demo: "k8s:enc:<provider>:v1:<key name>:" then
// aescbc: random IV + AES-CBC with PKCS#7; aesgcm: random 12-byte nonce + ciphertext + tag, the
// etcd key as additional data; secretbox: random 24-byte nonce + NaCl secretbox. etcdlens itself
// never encrypts: it only reads.
import { createCipheriv, randomBytes, type CipherGCMTypes } from "node:crypto";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";

export type SealingKey = { provider: "aescbc" | "aesgcm" | "secretbox"; name: string; secret: Buffer };

export function sealAtRest(plaintext: Uint8Array, key: SealingKey, etcdKey: string | Uint8Array): Buffer {
  const header = Buffer.from(`k8s:enc:${key.provider}:v1:${key.name}:`, "latin1");
  return Buffer.concat([header, sealBody(Buffer.from(plaintext), key, Buffer.from(etcdKey))]);
}

function sealBody(plaintext: Buffer, key: SealingKey, etcdKey: Buffer): Buffer {
  switch (key.provider) {
    case "aescbc": {
      const iv = randomBytes(16);
      // Node's cipher pads with PKCS#7 itself, as the API server pads by hand.
      const cipher = createCipheriv(`aes-${key.secret.length * 8}-cbc`, key.secret, iv);
      return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
    }
    case "aesgcm": {
      const nonce = randomBytes(12);
      const cipher = createCipheriv(`aes-${key.secret.length * 8}-gcm` as CipherGCMTypes, key.secret, nonce);
      cipher.setAAD(etcdKey);
      return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    }
    case "secretbox": {
      const nonce = randomBytes(24);
      return Buffer.concat([nonce, xsalsa20poly1305(key.secret, nonce).encrypt(plaintext)]);
    }
  }
}

/** An EncryptionConfiguration for Secrets with these keys, in order (the first one writes). */
export function encryptionConfigurationFor(keys: SealingKey[]): string {
  const providers = keys
    .map(
      (key) =>
        `      - ${key.provider}:\n          keys:\n            - name: ${key.name}\n              secret: ${key.secret.toString("base64")}`,
    )
    .join("\n");
  return `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n${providers}\n      - identity: {}\n`;
}
