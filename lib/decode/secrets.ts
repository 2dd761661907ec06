// Secret values are hidden unless asked for. A fingerprint lets a person see that two values (or two
// revisions) are equal without revealing them: HMAC with a key that lives only in this process.
import { createHmac, randomBytes } from "node:crypto";
import { fromBase64 } from "./bytes";
import { walkJson } from "./json-walk";
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

/** The annotation `kubectl apply` writes: the whole manifest as applied, a Secret's data included. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** A Secret's fields that hold no secret value; any other field (a damaged name too) is masked whole. */
const PLAIN_SECRET_FIELDS = new Set(["apiVersion", "kind", "metadata", "type", "immutable", "data", "stringData"]);

/**
 * Replaces every value of data (base64) and stringData (text) with the placeholder; keys stay.
 * The last-applied-configuration annotation repeats them, so its manifest is masked the same way
 * (and the annotation as a whole is reported, so a change inside it still shows as a change).
 */
export function maskSecretValues(object: JsonObject): MaskedValue[] {
  const masked: MaskedValue[] = [];
  for (const field of Object.keys(object)) {
    if (PLAIN_SECRET_FIELDS.has(field) || object[field] === MASKED_PLACEHOLDER) continue;
    const bytes = textEncoder.encode(JSON.stringify(object[field]));
    masked.push({ path: [field], length: bytes.length, fingerprint: fingerprintBytes(bytes) });
    object[field] = MASKED_PLACEHOLDER;
  }
  for (const field of ["data", "stringData"] as const) {
    const values = object[field];
    if (values === null || typeof values !== "object" || Array.isArray(values)) continue;
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (value === MASKED_PLACEHOLDER) continue;
      const bytes =
        typeof value !== "string"
          ? textEncoder.encode(JSON.stringify(value))
          : field === "data"
            ? fromBase64(value)
            : textEncoder.encode(value);
      masked.push({ path: [field, key], length: bytes.length, fingerprint: fingerprintBytes(bytes) });
      values[key] = MASKED_PLACEHOLDER;
    }
  }
  // Any string in metadata that may hold a document is treated as last-applied-configuration, so
  // that damaged bytes (an annotation's name, a length that moved it to another field) do not let
  // its copy of the data through. Names, labels and the like never hold a "{".
  if (isObject(object.metadata)) {
    walkJson(object.metadata, ["metadata"], (child, name, pathOf, replace) => {
      if (typeof child !== "string") return;
      if (child === MASKED_PLACEHOLDER || (name !== LAST_APPLIED_ANNOTATION && !child.includes("{"))) return;
      const bytes = textEncoder.encode(child);
      replace(maskAppliedManifest(child));
      masked.push({ path: pathOf(), length: bytes.length, fingerprint: fingerprintBytes(bytes) });
    });
  }
  return masked;
}

/** The applied manifest with its data masked, as JSON again; the placeholder when it does not parse. */
function maskAppliedManifest(text: string): string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return MASKED_PLACEHOLDER;
  }
  if (!isObject(manifest)) return MASKED_PLACEHOLDER;
  maskSecretValues(manifest);
  // kubectl ends the annotation with a newline; keeping it keeps the masked text recognizable.
  return `${JSON.stringify(manifest)}${text.endsWith("\n") ? "\n" : ""}`;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
