// What the API server does to an object after reading it from etcd, whatever its encoding, plus masking.
import protobuf from "protobufjs";
import { getEngine } from "./engine";
import { META_PACKAGE } from "./registry";
import { isSecret, maskSecretValues } from "./secrets";
import type { DecodeOptions, JsonObject, MaskedValue } from "./types";

export function finishObject(object: JsonObject, apiVersion: string, kind: string, options: DecodeOptions): MaskedValue[] {
  fillResourceVersion(object, options.modRevision);
  if (!options.revealSecrets && isSecret(apiVersion, kind)) return maskSecretValues(object);
  return [];
}

/** etcd keeps resourceVersion empty; the API server shows the key's mod revision instead. */
function fillResourceVersion(object: JsonObject, modRevision: number | undefined): void {
  if (modRevision === undefined) return;
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return;
  if (metadata.resourceVersion === "") metadata.resourceVersion = String(modRevision);
  else if (metadata.resourceVersion === undefined) {
    // Replacing the value of an existing key keeps metadata where it was in the object.
    object.metadata = withKeyInOrder(metadata, "resourceVersion", String(modRevision), objectMetaKeyOrder());
  }
}

/** A copy of object with key added where `order` puts it; keys order does not know stay where they are. */
export function withKeyInOrder(object: JsonObject, key: string, value: string, order: readonly string[]): JsonObject {
  const rank = order.indexOf(key);
  const out: JsonObject = {};
  let placed = false;
  for (const existing of Object.keys(object)) {
    if (!placed && rank >= 0 && order.indexOf(existing) > rank) {
      out[key] = value;
      placed = true;
    }
    if (existing === "__proto__")
      Object.defineProperty(out, existing, { value: object[existing], enumerable: true, writable: true, configurable: true });
    else out[existing] = object[existing];
  }
  if (!placed) out[key] = value;
  return out;
}

let cachedOrder: { schema: unknown; order: string[] } | undefined;

/** ObjectMeta's JSON keys in Go's field order (name, ..., uid, resourceVersion, generation, ...). */
function objectMetaKeyOrder(): string[] {
  const engine = getEngine();
  if (cachedOrder?.schema !== engine.schema) {
    const type = engine.schema.root.lookup(`${META_PACKAGE}.ObjectMeta`, protobuf.Type);
    const order = type instanceof protobuf.Type ? engine.plans.planOf(type).fields.map((field) => field.jsonName) : [];
    cachedOrder = { schema: engine.schema, order };
  }
  return cachedOrder.order;
}
