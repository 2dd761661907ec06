// What the API server does to an object after reading it from etcd, whatever its encoding, plus masking.
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
  if (metadata.resourceVersion === undefined || metadata.resourceVersion === "") {
    metadata.resourceVersion = String(modRevision);
  }
}
