// Values written through an encryption provider: "k8s:enc:<provider>:v1:<key name>:" then ciphertext,
// and for KMS "k8s:enc:kms:v1:<name>:" or "k8s:enc:kms:v2:<name>:". Decrypting is at-rest.ts's job.
import { asciiBytes, startsWith } from "./bytes";
import type { EncryptedValue } from "./types";

const ENCRYPTED_MAGIC = asciiBytes("k8s:enc:");
/** Headers are short; a missing separator within this many bytes means it is not a header. */
const MAX_HEADER = 512;

/** The header's parts and its length in bytes (the ciphertext starts there); undefined when there is none. */
export type EncryptionHeader = { provider: string; version: string; keyName: string; length: number };

export function parseEncryptionHeader(bytes: Uint8Array): EncryptionHeader | undefined {
  if (!startsWith(bytes, ENCRYPTED_MAGIC)) return undefined;
  const parts: string[] = [];
  let start = ENCRYPTED_MAGIC.length;
  for (let i = start; i < Math.min(bytes.length, MAX_HEADER) && parts.length < 3; i++) {
    if (bytes[i] === 0x3a) {
      parts.push(String.fromCharCode(...bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  if (parts.length < 3) return undefined;
  const [provider, version, keyName] = parts;
  if (provider === "" || !/^v\d+$/.test(version)) return undefined;
  return { provider, version, keyName, length: start };
}

/** The value as far as its header tells, before any attempt to decrypt it. */
export function encryptedValueOf(header: EncryptionHeader): EncryptedValue {
  const { provider, keyName, version } = header;
  return provider === "kms" ? { format: "encrypted", provider, keyName, kmsVersion: version } : { format: "encrypted", provider, keyName };
}
