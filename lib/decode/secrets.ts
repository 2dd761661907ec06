// Secret values are hidden unless asked for. A fingerprint lets a person see that two values (or two
// revisions) are equal without revealing them: HMAC with a key that lives only in this process.
import { createHmac, randomBytes } from "node:crypto";
import { fromBase64 } from "./bytes";
import type { JsonObject, MaskedValue } from "./types";

export const MASKED_PLACEHOLDER = "<masked>";

const fingerprintKey = randomBytes(32);
const textEncoder = new TextEncoder();

export function fingerprintBytes(bytes: Uint8Array): string {
  return createHmac("sha256", fingerprintKey).update(bytes).digest("hex").slice(0, 24);
}

export function isSecret(apiVersion: string, kind: string): boolean {
  return apiVersion === "v1" && kind === "Secret";
}

/** Replaces every value of data (base64) and stringData (text) with the placeholder; keys stay. */
export function maskSecretValues(object: JsonObject): MaskedValue[] {
  const masked: MaskedValue[] = [];
  for (const field of ["data", "stringData"] as const) {
    const values = object[field];
    if (values === null || typeof values !== "object" || Array.isArray(values)) continue;
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (typeof value !== "string") continue;
      const bytes = field === "data" ? fromBase64(value) : textEncoder.encode(value);
      masked.push({ path: [field, key], length: bytes.length, fingerprint: fingerprintBytes(bytes) });
      values[key] = MASKED_PLACEHOLDER;
    }
  }
  return masked;
}
