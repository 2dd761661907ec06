// The public face of lib/decode: decodeValue turns any etcd value into something a person can read
// (pure, never throws), readMaskedValue reveals one Secret value, encodeKubernetesObject writes test data.
import { getEngine } from "./engine";
import { writeEnvelope } from "./envelope";
import { encodeMessage } from "./protobuf-encoder";
import type { JsonObject } from "./types";

export type * from "./types";
export { decodeValue } from "./decode-value";
export { readMaskedValue, type RevealedValue } from "./reveal";
export { getSchemaErrors, resetSchemaCache, type SchemaError } from "./schema";
export { MASKED_PLACEHOLDER } from "./secrets";
export { judgeSecret, type SecretReason } from "./secret-detection";
export { EncodeError } from "./protobuf-encoder";

/**
 * The protobuf etcd holds for a Kubernetes object of a known type ("k8s\0" + envelope + object).
 * Throws an EncodeError when the type has no schema or the object does not fit it.
 */
export function encodeKubernetesObject(object: JsonObject): Uint8Array {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new TypeError("a Kubernetes object needs string apiVersion and kind");
  }
  const engine = getEngine();
  const type = engine.registry.lookup(apiVersion, kind);
  if (!type) throw new TypeError(`no schema for ${apiVersion} ${kind}`);
  return writeEnvelope(apiVersion, kind, encodeMessage(engine.plans.planOf(type), object, [], true));
}
