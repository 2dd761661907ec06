import type { DecodedValue, JsonValue } from "@/lib/decode/types";
import { toYaml } from "@/lib/decode/yaml";

// The text a diff compares: what the value pane shows for the value, so that a diff reads like
// two versions of the same page. Kubernetes objects as YAML with sorted keys, JSON and CBOR as
// indented JSON, YAML and text as they are. Binary and encrypted values have no text.

export type DiffText = { language: "yaml" | "json" | "text"; text: string } | { language: "none"; reason: string };

export function renderForDiff(value: DecodedValue | null, object?: JsonValue): DiffText {
  if (value === null) return { language: "text", text: "" };
  switch (value.format) {
    case "kubernetes":
      return { language: "yaml", text: toYaml(object ?? value.object, { sortKeys: true }) };
    case "json":
      return { language: "json", text: `${JSON.stringify(value.data, null, 2)}\n` };
    case "cbor":
      return { language: "json", text: `${JSON.stringify(value.data, null, 2)}\n` };
    case "yaml":
      return { language: "yaml", text: value.text };
    case "text":
      return { language: "text", text: value.text };
    case "empty":
      return { language: "text", text: "" };
    case "encrypted":
      return { language: "none", reason: "encrypted at rest" };
    case "binary":
      return { language: "none", reason: "binary" };
    case "undecodable-secret":
      return { language: "none", reason: "a Secret that cannot be decoded" };
  }
}

/** The structured data of a value, for the field-level diff; undefined when it has none. */
export function structuredDataOf(value: DecodedValue | null): JsonValue | undefined {
  if (value === null) return undefined;
  switch (value.format) {
    case "kubernetes":
      return value.object;
    case "json":
    case "cbor":
    case "yaml":
      return value.data;
    default:
      return undefined;
  }
}
