// What is left of a value judged a Secret (see secret-detection.ts) once it has been decoded: the
// object with every Secret in it masked, wherever it sits, or, when it cannot be decoded and masked
// with certainty, nothing but its size. Fails closed: any doubt hides the whole value.
import { fromBase64 } from "./bytes";
import { walkJson } from "./json-walk";
import { holdsSecretMarker, textHoldsSecretMarker, type SecretReason } from "./secret-detection";
import { fingerprintBytes, MASKED_PLACEHOLDER, maskSecretValues } from "./secrets";
import type { DecodedValue, JsonObject, JsonValue, KubernetesValue, MaskedValue, UndecodableSecretValue } from "./types";

const REASON_TEXT: Record<SecretReason, string> = {
  key: "it is stored under a secrets path",
  envelope: "its protobuf envelope names kind Secret",
  content: "it holds an object of kind Secret",
};

const textEncoder = new TextEncoder();

/** The decoded value as it may be shown, given that the bytes were judged a Secret for `reason`. */
export function closeSecretValue(decoded: DecodedValue, size: number, reason: SecretReason): DecodedValue {
  if (decoded.format === "empty" || decoded.format === "encrypted") return decoded;
  if (decoded.format !== "kubernetes") return undecodable(size, reason, `it reads as ${decoded.format}, not as a Kubernetes object`);
  if (decoded.error) return undecodable(size, reason, decoded.error.message);
  // A value that is a Secret must decode with its schema: a schema-less guess would show its data
  // by field number, unmasked.
  if (reason !== "content" && !decoded.known)
    return undecodable(size, reason, `no schema decodes it as ${decoded.apiVersion} ${decoded.kind}`.trim());
  try {
    return { ...decoded, masked: maskEverySecret(decoded, reason === "key") };
  } catch {
    return undecodable(size, reason, "masking it failed");
  }
}

function undecodable(size: number, reason: SecretReason, why: string): UndecodableSecretValue {
  return { format: "undecodable-secret", size, reason: `a Secret because ${REASON_TEXT[reason]}; not decodable because ${why}` };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

function isSecretObject(value: JsonObject): boolean {
  return value.kind === "Secret";
}

/** `{kind: Secret, name}` names a Secret (a Flux valuesFrom, an event's object): no data in it. */
function isReference(value: JsonObject): boolean {
  return !("metadata" in value || "data" in value || "stringData" in value);
}

/**
 * Masks the Secrets anywhere in the object (the root too when `rootIsSecret`), then every string
 * that still holds one, as text or base64 (an embedded object etcdlens could not decode). Returns
 * the masked values, the ones already masked by decoding first, one per path.
 */
function maskEverySecret(decoded: KubernetesValue, rootIsSecret: boolean): MaskedValue[] {
  const found: MaskedValue[] = [...decoded.masked];
  const root = decoded.object;
  if (rootIsSecret || isSecretObject(root)) found.push(...maskSecretValues(root));
  walkJson(root, [], (child, _name, pathOf, replace) => {
    if (isObject(child)) {
      if (isSecretObject(child) && !isReference(child))
        found.push(...maskSecretValues(child).map((value) => ({ ...value, path: [...pathOf(), ...value.path] })));
    } else if (typeof child === "string" && child !== MASKED_PLACEHOLDER && stringHoldsSecret(child)) {
      replace(maskString(child));
      const bytes = textEncoder.encode(child);
      found.push({ path: pathOf(), length: bytes.length, fingerprint: fingerprintBytes(bytes) });
    }
  });
  return uniqueByPath(found);
}

const BASE64 = /^[A-Za-z0-9+/]{12,}={0,2}$/;

function stringHoldsSecret(text: string): boolean {
  if (textHoldsSecretMarker(text)) return true;
  return text.length % 4 === 0 && BASE64.test(text) && holdsSecretMarker(fromBase64(text));
}

/** A JSON document in a string keeps its shape with its Secrets masked; anything else goes whole. */
function maskString(text: string): string {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    return MASKED_PLACEHOLDER;
  }
  if (!isObject(parsed)) return MASKED_PLACEHOLDER;
  const inner: KubernetesValue = {
    format: "kubernetes",
    encoding: "json",
    apiVersion: "",
    kind: "",
    known: false,
    object: parsed,
    masked: [],
  };
  maskEverySecret(inner, false);
  return `${JSON.stringify(parsed)}${text.endsWith("\n") ? "\n" : ""}`;
}

function uniqueByPath(values: MaskedValue[]): MaskedValue[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = JSON.stringify(value.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
