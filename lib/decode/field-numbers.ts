// Whether a decoded Kubernetes object shows some of its fields by protobuf field number, not by name.
import type { KubernetesValue } from "./types";

/**
 * Only protobuf drops field names, so only a protobuf object of a type without schema is shown by
 * number. JSON and CBOR name every field: a custom resource (stored as JSON) is decoded whole
 * whether or not etcdlens has a schema for its type.
 */
export function showsFieldNumbers(value: KubernetesValue): boolean {
  return value.encoding === "protobuf" && !value.known;
}
