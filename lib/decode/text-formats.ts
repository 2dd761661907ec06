// Values that are text: JSON documents, YAML documents, or plain text. Detection is by content only.
import { parse as parseYaml } from "yaml";
import { isPrintableText } from "./bytes";
import { MAX_NESTING_DEPTH, yamlNestingBound } from "./depth";
import type { JsonValue } from "./types";

/** JSON when the text is an object or an array; scalars ("42", "true") read better as plain text. */
export function parseJsonDocument(text: string): { data: JsonValue } | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    return { data: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}

/** YAML is tried only on text up to this size: a guess should not cost more than showing the text. */
const MAX_YAML_GUESS = 1 << 20;

/**
 * YAML only when it is clearly a document: a mapping or sequence with at least two entries, or text
 * that starts with "---". A single "Note: hello" line stays text.
 */
export function parseYamlDocument(text: string): { data: JsonValue } | undefined {
  if (text.length > MAX_YAML_GUESS || !isPrintableText(text)) return undefined;
  const explicit = /^---(\s|$)/.test(text);
  if (!explicit && !/^(?:[^\s#:][^:\n]*:(?:\s|$)|- )/m.test(text)) return undefined;
  if (yamlNestingBound(text) > MAX_NESTING_DEPTH) return undefined;
  let data: unknown;
  try {
    data = parseYaml(text, { uniqueKeys: true, strict: true, prettyErrors: false, maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object") return undefined;
  const entries = Array.isArray(data) ? data.length : Object.keys(data).length;
  if (!explicit && entries < 2) return undefined;
  const json = toJsonSafe(data);
  return json === undefined ? undefined : { data: json };
}

/** YAML can hold what JSON cannot (dates, binary, non-string keys); such documents stay text. */
function toJsonSafe(value: unknown): JsonValue | undefined {
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return undefined;
  }
}
