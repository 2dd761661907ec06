// Messages that Kubernetes prints as something other than an object, keyed by fully qualified name.
// Each entry converts the message's field values (by field number) to JSON and back.
import { fromBase64 } from "./bytes";
import { GO_ZERO_TIME_SECONDS, formatGoDuration, formatRfc3339, formatRfc3339Micro, parseGoDuration, parseRfc3339 } from "./go-format";
import type { JsonValue } from "./types";

/**
 * Field values by field number. Scalars are numbers/strings/booleans, bytes are Uint8Array,
 * nested messages are already JSON, repeated fields are arrays.
 */
export type FieldValues = Record<number, unknown>;

/** Every special type keeps its fields in numbers 1 to 3; they are passed positionally (no object per value). */
export const MAX_SPECIAL_FIELD = 3;

export interface EmbeddedCodec {
  /** Bytes that hold a whole object (JSON, CBOR or "k8s\0" protobuf) to the JSON it stands for. */
  decodeEmbedded(bytes: Uint8Array): JsonValue;
}

export interface SpecialType {
  /** field1..field3: the values of fields 1..3, undefined when absent from the wire. */
  toJson(field1: unknown, field2: unknown, field3: unknown, codec: EmbeddedCodec): JsonValue;
  /** undefined when the JSON cannot stand for this type: the field is then left off the wire. */
  fromJson(value: JsonValue): FieldValues | undefined;
  /** toJson returns a document of its own (not built from nested messages): its nesting is measured. */
  opaque?: true;
}

const EMPTY: FieldValues = {};
const textEncoder = new TextEncoder();

const time: SpecialType = {
  toJson(seconds) {
    if (typeof seconds !== "number" || seconds === GO_ZERO_TIME_SECONDS) return null;
    return formatRfc3339Cached(seconds);
  },
  fromJson(value) {
    if (value === null) return EMPTY;
    const parsed = typeof value === "string" ? parseRfc3339(value) : undefined;
    return parsed && { 1: parsed.seconds };
  },
};

const microTime: SpecialType = {
  toJson(seconds, nanos) {
    if (typeof seconds !== "number" || seconds === GO_ZERO_TIME_SECONDS) return null;
    return formatRfc3339Micro(seconds, typeof nanos === "number" ? nanos : 0);
  },
  fromJson(value) {
    if (value === null) return EMPTY;
    const parsed = typeof value === "string" ? parseRfc3339(value) : undefined;
    return parsed && { 1: parsed.seconds, 2: parsed.nanos };
  },
};

const duration: SpecialType = {
  toJson(nanos) {
    return formatGoDuration(typeof nanos === "number" ? nanos : 0);
  },
  fromJson(value) {
    const nanos = typeof value === "string" ? parseGoDuration(value) : undefined;
    return nanos === undefined ? undefined : { 1: nanos };
  },
};

/** A message whose only field (1) holds the bytes of an embedded document. */
function embeddedDocument(): SpecialType {
  return {
    opaque: true,
    toJson(raw, _2, _3, codec) {
      return raw instanceof Uint8Array && raw.length > 0 ? codec.decodeEmbedded(raw) : null;
    },
    fromJson(value) {
      return value === null ? EMPTY : { 1: textEncoder.encode(JSON.stringify(value)) };
    },
  };
}

const quantity: SpecialType = {
  toJson(text) {
    return typeof text === "string" && text !== "" ? text : "0";
  },
  fromJson(value) {
    if (typeof value === "number") return { 1: String(value) };
    return typeof value === "string" ? { 1: value } : undefined;
  },
};

const intOrString: SpecialType = {
  toJson(type, intVal, strVal) {
    if (type === 1) return typeof strVal === "string" ? strVal : "";
    return typeof intVal === "number" ? intVal : 0;
  },
  fromJson(value) {
    if (typeof value === "number") return { 1: 0, 2: value };
    if (typeof value === "string") return { 1: 1, 3: value };
    return undefined;
  },
};

/** A message with one repeated string field (1) that prints as the bare list. */
const stringList: SpecialType = {
  toJson(items) {
    return Array.isArray(items) ? (items as JsonValue[]) : null;
  },
  fromJson(value) {
    if (value === null) return EMPTY;
    return Array.isArray(value) && value.every((item) => typeof item === "string") ? { 1: value } : undefined;
  },
};

/** JSONSchemaPropsOrArray: schema = 1, jSONSchemas = 2; the list wins when it is not empty. */
const schemaOrArray: SpecialType = {
  toJson(schema, schemas) {
    if (Array.isArray(schemas) && schemas.length > 0) return schemas as JsonValue[];
    return (schema as JsonValue | undefined) ?? null;
  },
  fromJson(value) {
    if (Array.isArray(value)) return { 2: value };
    if (value !== null && typeof value === "object") return { 1: value };
    return value === null ? EMPTY : undefined;
  },
};

/** JSONSchemaPropsOrBool: allows = 1, schema = 2; a schema prints itself, otherwise the boolean. */
const schemaOrBool: SpecialType = {
  toJson(allows, schema) {
    if (schema !== undefined) return schema as JsonValue;
    return allows === true;
  },
  fromJson(value) {
    if (typeof value === "boolean") return { 1: value };
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return { 1: true, 2: value };
    return undefined;
  },
};

/** JSONSchemaPropsOrStringArray: schema = 1, property = 2; the list wins when it is not empty. */
const schemaOrStringArray: SpecialType = {
  toJson(schema, property) {
    if (Array.isArray(property) && property.length > 0) return property as JsonValue[];
    return (schema as JsonValue | undefined) ?? null;
  },
  fromJson(value) {
    if (Array.isArray(value)) return { 2: value };
    if (value !== null && typeof value === "object") return { 1: value };
    return value === null ? EMPTY : undefined;
  },
};

/** Objects repeat their timestamps (managedFields, conditions): remember recent ones, direct-mapped. */
const recentTimes: { seconds: number; text: string }[] = Array.from({ length: 256 }, () => ({ seconds: NaN, text: "" }));

function formatRfc3339Cached(seconds: number): string {
  const entry = recentTimes[seconds & 255];
  if (entry.seconds !== seconds) {
    entry.text = formatRfc3339(seconds);
    entry.seconds = seconds;
  }
  return entry.text;
}

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const APIEXTENSIONS = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions";

export const SPECIAL_TYPES: ReadonlyMap<string, SpecialType> = new Map([
  [`${META}.Time`, time],
  [`${META}.MicroTime`, microTime],
  [`${META}.Duration`, duration],
  [`${META}.FieldsV1`, embeddedDocument()],
  [`${META}.Verbs`, stringList],
  ["k8s.io.apimachinery.pkg.runtime.RawExtension", embeddedDocument()],
  ["k8s.io.apimachinery.pkg.api.resource.Quantity", quantity],
  ["k8s.io.apimachinery.pkg.api.resource.QuantityValue", quantity],
  ["k8s.io.apimachinery.pkg.util.intstr.IntOrString", intOrString],
  ...["v1", "v1beta1"].flatMap((version): [string, SpecialType][] => [
    [`${APIEXTENSIONS}.${version}.JSON`, embeddedDocument()],
    [`${APIEXTENSIONS}.${version}.JSONSchemaPropsOrArray`, schemaOrArray],
    [`${APIEXTENSIONS}.${version}.JSONSchemaPropsOrBool`, schemaOrBool],
    [`${APIEXTENSIONS}.${version}.JSONSchemaPropsOrStringArray`, schemaOrStringArray],
  ]),
  // Go's ExtraValue is a []string: user info "extra" values print as plain lists.
  ...[
    "certificates.v1",
    "certificates.v1beta1",
    "authentication.v1",
    "authentication.v1beta1",
    "authorization.v1",
    "authorization.v1beta1",
  ].map((groupVersion): [string, SpecialType] => [`k8s.io.api.${groupVersion}.ExtraValue`, stringList]),
  // So is a TokenRequest's AttestationValue.
  ["k8s.io.api.authentication.v1.AttestationValue", stringList],
]);

/** Bytes a special type's fromJson produced may arrive as base64 text when built by hand. */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return fromBase64(value);
  return undefined;
}
