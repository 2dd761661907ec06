// Any etcd value to a DecodedValue, by its content: Kubernetes protobuf, JSON, CBOR, YAML, text, or
// encrypted at rest (decrypted when the API server's keys are installed). Pure, and it never throws;
// malformed values come back with an error.
import { readStrictUtf8, isPrintableText, startsWith } from "./bytes";
import { CBOR_SELF_DESCRIBE, decodeCbor } from "./cbor";
import { limitNesting } from "./depth";
import { decodeEncryptedAtRest } from "./at-rest";
import { parseEncryptionHeader } from "./encrypted";
import { getEngine } from "./engine";
import { decodeKubernetesProtobufDeep } from "./embedded";
import { finishObject } from "./finish-object";
import { isKubernetesProtobuf, type NestingBound } from "./kubernetes-protobuf";
import { judgeSecret } from "./secret-detection";
import { closeSecretValue } from "./secret-masking";
import { parseJsonDocument, parseYamlDocument } from "./text-formats";
import type { DecodedValue, DecodeOptions, JsonObject, JsonValue, KubernetesValue } from "./types";

export function decodeValue(bytes: Uint8Array, options: DecodeOptions = {}): DecodedValue {
  // Decrypted first, so that the plaintext is decoded, judged and masked as any value is.
  const atRest = parseEncryptionHeader(bytes);
  if (atRest) return decodeEncryptedAtRest(bytes, atRest, options, decodeValue);
  const decoded = decodeAnyValue(bytes, options);
  if (options.revealSecrets) return decoded;
  // Judged from the key and the bytes' framing, not from how decoding went: a Secret too broken
  // to decode is still a Secret, and then nothing of it is shown.
  const secret = judgeSecret(bytes, options.key);
  return secret ? closeSecretValue(decoded, bytes.length, secret) : decoded;
}

function decodeAnyValue(bytes: Uint8Array, options: DecodeOptions): DecodedValue {
  try {
    // Every route, summary and diff takes its value from here, so the nesting limit is applied here once.
    const nesting: NestingBound = { levels: Infinity };
    return limitNesting(detectAndDecode(bytes, options, nesting), bytes, nesting.levels);
  } catch (error) {
    // A bug in a decoder must not take the page down: show the bytes and say why.
    return isKubernetesProtobuf(bytes)
      ? {
          format: "kubernetes",
          encoding: "protobuf",
          apiVersion: options.typeHint?.apiVersion ?? "",
          kind: options.typeHint?.kind ?? "",
          known: false,
          object: {},
          masked: [],
          error: { message: `internal decoder error: ${error instanceof Error ? error.message : String(error)}` },
        }
      : { format: "binary" };
  }
}

function detectAndDecode(bytes: Uint8Array, options: DecodeOptions, nesting: NestingBound): DecodedValue {
  if (bytes.length === 0) return { format: "empty" };
  if (isKubernetesProtobuf(bytes)) {
    return decodeKubernetesProtobufDeep(bytes, options, 0, nesting);
  }
  if (startsWith(bytes, CBOR_SELF_DESCRIBE)) {
    const cbor = decodeCbor(bytes);
    if ("error" in cbor) return { format: "cbor", data: null, error: cbor.error };
    return asKubernetesObject(cbor.data, "cbor", options) ?? { format: "cbor", data: cbor.data };
  }
  const text = readStrictUtf8(bytes);
  if (text === undefined) return { format: "binary" };
  const json = parseJsonDocument(text);
  if (json) return asKubernetesObject(json.data, "json", options) ?? { format: "json", data: json.data };
  if (!isPrintableText(text)) return { format: "binary" };
  const yaml = parseYamlDocument(text);
  if (yaml) return { format: "yaml", text, data: yaml.data };
  return { format: "text", text };
}

/** An object with apiVersion and kind is a Kubernetes object (custom resources are stored as JSON). */
function asKubernetesObject(data: JsonValue, encoding: "json" | "cbor", options: DecodeOptions): KubernetesValue | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const { apiVersion, kind } = data;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") return undefined;
  const object: JsonObject = data;
  const masked = finishObject(object, apiVersion, kind, options);
  const known = getEngine().registry.lookup(apiVersion, kind) !== undefined;
  return { format: "kubernetes", encoding, apiVersion, kind, known, object, masked };
}
