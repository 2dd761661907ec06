// Objects stored inside other objects: a RawExtension (WatchEvent.object, ControllerRevision.data),
// FieldsV1 or apiextensions JSON hold a whole document. Secrets among them are masked like any stored
// Secret, and what was masked is reported with its path from the root of the outer object.
import { readUtf8, toBase64 } from "./bytes";
import { CBOR_SELF_DESCRIBE, decodeCbor } from "./cbor";
import { exceedsDepth, MAX_NESTING_DEPTH } from "./depth";
import { startsWith } from "./bytes";
import { decodeKubernetesProtobuf, isKubernetesProtobuf, type NestingBound } from "./kubernetes-protobuf";
import { isSecret, maskSecretValues } from "./secrets";
import type { DecodeOptions, JsonObject, JsonValue, KubernetesValue, MaskedValue } from "./types";

/** RawExtensions inside RawExtensions: a bound on how deep embedded objects are decoded. */
const MAX_EMBEDDED_DEPTH = 8;

/**
 * Decodes a "k8s\0" value and the objects embedded in it. Only the revealSecrets choice reaches
 * embedded objects: the mod revision and type hint belong to the outer key.
 */
export function decodeKubernetesProtobufDeep(
  bytes: Uint8Array,
  options: DecodeOptions,
  depth = 0,
  nesting?: NestingBound,
): KubernetesValue {
  const embedded = new EmbeddedObjects(options.revealSecrets === true, depth + 1);
  const decoded = decodeKubernetesProtobuf(bytes, options, embedded.decode, nesting);
  if (embedded.hasMasked()) decoded.masked.push(...embedded.maskedUnder(decoded.object));
  return decoded;
}

class EmbeddedObjects {
  private readonly maskedByObject: { object: JsonObject; masked: MaskedValue[] }[] = [];

  constructor(
    private readonly revealSecrets: boolean,
    private readonly depth: number,
  ) {}

  hasMasked(): boolean {
    return this.maskedByObject.length > 0;
  }

  /** What the bytes stand for as JSON; passed to the decoder, so an arrow keeps `this`. */
  readonly decode = (bytes: Uint8Array): JsonValue => {
    if (this.depth <= MAX_EMBEDDED_DEPTH && isKubernetesProtobuf(bytes)) {
      const decoded = decodeKubernetesProtobufDeep(bytes, { revealSecrets: this.revealSecrets }, this.depth);
      this.remember(decoded.object, decoded.masked);
      return decoded.object;
    }
    if (this.depth <= MAX_EMBEDDED_DEPTH && startsWith(bytes, CBOR_SELF_DESCRIBE)) {
      const cbor = decodeCbor(bytes);
      if ("data" in cbor) return this.maskIfSecret(cbor.data);
    }
    let data: JsonValue;
    try {
      data = JSON.parse(readUtf8(bytes, 0, bytes.length)) as JsonValue;
    } catch {
      return toBase64(bytes);
    }
    // Not the text either: a Secret too deep to mask must not be shown in clear.
    if (exceedsDepth(data)) return `<embedded document nested deeper than ${MAX_NESTING_DEPTH} levels: ${bytes.length} bytes>`;
    return this.maskIfSecret(data);
  };

  private maskIfSecret(data: JsonValue): JsonValue {
    if (this.revealSecrets || data === null || typeof data !== "object" || Array.isArray(data)) return data;
    if (typeof data.apiVersion === "string" && typeof data.kind === "string" && isSecret(data.apiVersion, data.kind)) {
      this.remember(data, maskSecretValues(data));
    }
    return data;
  }

  private remember(object: JsonObject, masked: MaskedValue[]): void {
    if (masked.length > 0) this.maskedByObject.push({ object, masked });
  }

  /** The masked values with their paths from root; found by identity, so this walks only when needed. */
  maskedUnder(root: JsonObject): MaskedValue[] {
    const out: MaskedValue[] = [];
    for (const { object, masked } of this.maskedByObject) {
      const prefix = findPath(root, object, []);
      if (prefix === undefined) continue;
      for (const value of masked) out.push({ ...value, path: [...prefix, ...value.path] });
    }
    return out;
  }
}

function findPath(from: JsonValue, target: JsonObject, path: string[]): string[] | undefined {
  if (from === target) return path;
  if (from === null || typeof from !== "object") return undefined;
  if (Array.isArray(from)) {
    for (let i = 0; i < from.length; i++) {
      const found = findPath(from[i], target, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(from)) {
    const found = findPath(from[key], target, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
