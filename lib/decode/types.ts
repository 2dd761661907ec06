// The decoded form of one etcd value. It is JSON-serializable because the HTTP API sends it as is.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/** What is wrong with a value and, when known, the byte offset (into the whole value) where it showed. */
export interface DecodeProblem {
  message: string;
  offset?: number;
}

/** A value hidden from the output; equal fingerprints mean equal bytes, and nothing more. */
export interface MaskedValue {
  path: string[];
  length: number;
  fingerprint: string;
}

export interface TypeRef {
  apiVersion: string;
  kind: string;
}

export interface DecodeOptions {
  /** etcd stores metadata.resourceVersion empty; the API server fills it from the key's mod revision. */
  modRevision?: number;
  revealSecrets?: boolean;
  /** The type to assume when the protobuf envelope does not name one. */
  typeHint?: TypeRef;
  /** The key the value is stored under: any value under a secrets path is a Secret. */
  key?: Uint8Array;
}

export interface EmptyValue {
  format: "empty";
}
export interface TextValue {
  format: "text";
  text: string;
}
export interface JsonDocumentValue {
  format: "json";
  data: JsonValue;
}
export interface YamlValue {
  format: "yaml";
  text: string;
  data: JsonValue;
}
export interface BinaryValue {
  format: "binary";
}
export interface CborValue {
  format: "cbor";
  data: JsonValue;
  error?: DecodeProblem;
}
export interface KubernetesValue {
  format: "kubernetes";
  encoding: "protobuf" | "json" | "cbor";
  apiVersion: string;
  kind: string;
  /** Whether a schema for the type was found (false: a schema-less best effort). */
  known: boolean;
  object: JsonObject;
  masked: MaskedValue[];
  error?: DecodeProblem;
}
export interface EncryptedValue {
  format: "encrypted";
  provider: string;
  keyName: string;
  /** "v1" or "v2" for the KMS provider. */
  kmsVersion?: string;
  /** What a KMS envelope tells without the KMS: the key ID (v2) and the encrypted data key's size. */
  kms?: { keyId?: string; encryptedDekBytes: number; dataBytes: number };
  /** Why the value was not decrypted: no configuration, no such key, a wrong key, damage. */
  error?: DecodeProblem;
}

/** A Secret (by its key, envelope or content) that cannot be decoded and masked: nothing of it is shown. */
export interface UndecodableSecretValue {
  format: "undecodable-secret";
  /** The value's size in bytes. */
  size: number;
  /** Why it counts as a Secret, and why it could not be decoded. */
  reason: string;
}

/** Set on a value that was stored encrypted and has been decrypted: by which provider and key. */
export interface AtRestNote {
  atRest?: { provider: string; keyName: string };
}

export type DecodedValue = (
  | EmptyValue
  | TextValue
  | JsonDocumentValue
  | YamlValue
  | BinaryValue
  | CborValue
  | KubernetesValue
  | EncryptedValue
  | UndecodableSecretValue
) &
  AtRestNote;

export type DecodedFormat = DecodedValue["format"];
