// Kubernetes protobuf straight to the JSON text of the object, for callers that only send it on: the
// same text as JSON.stringify(decodeValue(bytes, options).object), about twice as fast because no object
// is built. Anything out of the ordinary (unknown types, errors, masked Secrets, embedded Secrets, key
// orders only a JS object settles) is redone on the object path, so the output never differs.
import { decodeValue } from "./decode-value";
import { EmbeddedObjects } from "./embedded";
import { readEncryptionHeader } from "./encrypted";
import { readEnvelope } from "./envelope";
import { getEngine } from "./engine";
import { OBJECT_META, isFillableResourceVersion } from "./compile-json-text";
import { printedNames } from "./compile-decoder";
import { createTextContext, objectTextOf, push, writeMessageFields } from "./json-text-decoder";
import { isKubernetesProtobuf } from "./kubernetes-protobuf";
import { SHAPE_SINGLE, type MessagePlan } from "./plan";
import { isSecret } from "./secrets";
import type { DecodedValue, DecodeOptions, KubernetesValue } from "./types";

/** A Kubernetes value with its object as JSON text instead of a tree. */
export type KubernetesJsonText = Omit<KubernetesValue, "object"> & {
  text: string;
  /** "text" when the generated text decoders produced it, "object" when it went through decodeValue. */
  via: "text" | "object";
};

export type JsonTextValue = Exclude<DecodedValue, KubernetesValue> | KubernetesJsonText;

/** Like decodeValue, with Kubernetes objects as JSON text. Pure, and it never throws. */
export function decodeToJsonText(bytes: Uint8Array, options: DecodeOptions = {}): JsonTextValue {
  try {
    const fast = decodeViaText(bytes, options);
    if (fast) return fast;
  } catch {
    // The object path below decides what such a value shows, errors included.
  }
  return viaObject(decodeValue(bytes, options));
}

function viaObject(decoded: DecodedValue): JsonTextValue {
  if (decoded.format !== "kubernetes") return decoded;
  const { object, ...rest } = decoded;
  return { ...rest, text: JSON.stringify(object), via: "object" };
}

function decodeViaText(bytes: Uint8Array, options: DecodeOptions): KubernetesJsonText | undefined {
  if (!isKubernetesProtobuf(bytes) || readEncryptionHeader(bytes)) return undefined;
  const { envelope, error } = readEnvelope(bytes);
  if (error) return undefined;
  const named = envelope.apiVersion !== "" || envelope.kind !== "";
  const apiVersion = named ? envelope.apiVersion : (options.typeHint?.apiVersion ?? "");
  const kind = named ? envelope.kind : (options.typeHint?.kind ?? "");
  if (!options.revealSecrets && isSecret(apiVersion, kind)) return undefined;
  const engine = getEngine();
  const type = engine.registry.lookup(apiVersion, kind);
  if (!type) return undefined;
  const plan = engine.plans.planOf(type);
  if (!isPlainTopLevel(plan, options.modRevision !== undefined)) return undefined;

  const embedded = new EmbeddedObjects(options.revealSecrets === true, 1);
  const resourceVersion = options.modRevision === undefined ? undefined : `,"resourceVersion":${JSON.stringify(String(options.modRevision))}`;
  const ctx = createTextContext(embedded.decode, resourceVersion);
  // Written as segments that each start with a comma; the first comma becomes the opening brace.
  let typeMeta = "";
  if (envelope.kind) typeMeta += `,"kind":${JSON.stringify(envelope.kind)}`;
  if (envelope.apiVersion) typeMeta += `,"apiVersion":${JSON.stringify(envelope.apiVersion)}`;
  if (typeMeta !== "") push(ctx, typeMeta);
  writeMessageFields(plan, bytes, envelope.rawStart, envelope.rawEnd, ctx);
  if (ctx.error || ctx.fallback || embedded.hasMasked()) return undefined;
  const text = objectTextOf(ctx);
  return { format: "kubernetes", encoding: "protobuf", apiVersion, kind, known: true, masked: [], text, via: "text" };
}

const plainTopLevel = new WeakMap<MessagePlan, { plain: boolean; fillable: boolean }>();

/**
 * The object path puts kind and apiVersion first and fills metadata.resourceVersion afterwards; the
 * text path does both in line, which is the same only for types shaped the usual way.
 */
function isPlainTopLevel(plan: MessagePlan, fillsResourceVersion: boolean): boolean {
  let verdict = plainTopLevel.get(plan);
  if (!verdict) {
    const names = printedNames(plan);
    const inlineNames = plan.fields.filter((field) => field.inline).flatMap((field) => printedNames(field.message!));
    const metadata = plan.fields.find((field) => field.jsonName === "metadata");
    const objectMeta = metadata?.message?.fullName === OBJECT_META ? metadata.message : undefined;
    verdict = {
      plain: plan.special === undefined && !names.includes("kind") && !names.includes("apiVersion"),
      fillable:
        !inlineNames.includes("metadata") &&
        (metadata === undefined ||
          (objectMeta !== undefined && !metadata.inline && metadata.shape === SHAPE_SINGLE && objectMeta.fields.some(isFillableResourceVersion))),
    };
    plainTopLevel.set(plan, verdict);
  }
  return verdict.plain && (!fillsResourceVersion || verdict.fillable);
}
