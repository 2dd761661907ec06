// A value kube-apiserver encrypted at rest, decrypted with the installed EncryptionConfiguration
// keys and then decoded like any other, or, when it cannot be opened, its header and why not.
// Nothing that did not authenticate (or, for aescbc, look like a stored object) is decoded.
import { installedAtRestKeys } from "../encryption/installed";
import { openAtRest } from "../encryption/open";
import { encryptedValueOf, type EncryptionHeader } from "./encrypted";
import type { DecodedValue, DecodeOptions } from "./types";

export function decodeEncryptedAtRest(
  bytes: Uint8Array,
  header: EncryptionHeader,
  options: DecodeOptions,
  decodePlaintext: (plaintext: Uint8Array, options: DecodeOptions) => DecodedValue,
): DecodedValue {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset + header.length, bytes.byteLength - header.length);
  const opened = openAtRest(data, header, options.key, installedAtRestKeys());
  if (!opened.ok) {
    const kms = opened.kms && !("damaged" in opened.kms) ? { kms: opened.kms } : {};
    const damaged = opened.kms && "damaged" in opened.kms ? `; its envelope is damaged: ${opened.kms.damaged}` : "";
    return { ...encryptedValueOf(header), ...kms, error: { message: opened.message + damaged } };
  }
  // The plaintext is judged and masked as a value of its own: a decrypted Secret is masked like any other.
  return { ...decodePlaintext(opened.plaintext, options), atRest: { provider: header.provider, keyName: header.keyName } };
}
