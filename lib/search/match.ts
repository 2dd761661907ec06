// Whether one key and its decoded value match a parsed query, and where. Pure.
//
// Text terms (substrings, regexes) are tried on the key and then on each scalar of the decoded
// value separately (strings, numbers, booleans; also each field's name), never on a JSON text made
// for the purpose: walking the object allocates nothing per field, where JSON.stringify of a 4 KB
// Pod costs about as much as decoding it (measured by scripts/bench-search.ts). Plain text and
// YAML values are matched on their text. A field holding the masked placeholder matches nothing,
// so a masked Secret value cannot be probed by any pattern.
import { MASKED_PLACEHOLDER } from "@/lib/decode/secrets";
import type { DecodedValue, JsonValue } from "@/lib/decode/types";
import { formatPath, type PathSegment, type SearchTerm } from "./query";

/** A regex runs over at most this many characters at once; longer texts go in overlapping windows. */
export const REGEX_WINDOW_CHARS = 1024;
const WINDOW_STEP = REGEX_WINDOW_CHARS / 2;
const SNIPPET_CHARS = 120;

export type MatchSite = { field: string; text: string };

type TextTest = (text: string) => number;

/** A compiled query: test(key, value) says whether both satisfy every term, and where the first text term matched. */
export type SearchMatcher = {
  /** True when the key alone may decide (no field conditions, so no value has to be decoded when the key matches every text term). */
  needsValue(keyText: string): boolean;
  match(keyText: string, value: DecodedValue | undefined): MatchSite | null;
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileText(term: Extract<SearchTerm, { kind: "substring" | "regex" }>): TextTest {
  if (term.kind === "substring") {
    // A literal regex with "i": V8 scans for it without building a lower-cased copy of the text.
    const pattern = new RegExp(escapeRegExp(term.text), "i");
    return (text) => text.search(pattern);
  }
  const pattern = new RegExp(term.source, term.flags);
  return (text) => {
    if (text.length <= REGEX_WINDOW_CHARS) return text.search(pattern);
    // Overlapping windows: a match of up to WINDOW_STEP characters is found wherever it lies.
    for (let from = 0; from < text.length; from += WINDOW_STEP) {
      const found = text.slice(from, from + REGEX_WINDOW_CHARS).search(pattern);
      if (found >= 0) return from + found;
      if (from + REGEX_WINDOW_CHARS >= text.length) break;
    }
    return -1;
  };
}

function snippetOf(text: string, at: number): string {
  if (text.length <= SNIPPET_CHARS) return text;
  const from = Math.max(0, Math.min(at - SNIPPET_CHARS / 3, text.length - SNIPPET_CHARS));
  const cut = text.slice(from, from + SNIPPET_CHARS);
  return `${from > 0 ? "…" : ""}${cut}${from + SNIPPET_CHARS < text.length ? "…" : ""}`;
}

/** The structured data of a decoded value, for field conditions and the walk; undefined for text and bytes. */
function dataOf(value: DecodedValue): JsonValue | undefined {
  switch (value.format) {
    case "kubernetes":
      return value.object;
    case "json":
    case "cbor":
      return value.data;
    case "yaml":
      return value.data;
    default:
      return undefined;
  }
}

/** Where `test` matches in the value's fields (or text), or null. Iterative: values nest deep. */
function findInValue(value: DecodedValue, test: TextTest): MatchSite | null {
  if (value.format === "text" || value.format === "yaml") {
    const at = test(value.text);
    return at >= 0 ? { field: "", text: snippetOf(value.text, at) } : null;
  }
  const data = dataOf(value);
  if (data === undefined) return null;
  // Each entry knows its parent, so a path is built only for the field that matched.
  type Entry = { node: JsonValue; parent: Entry | null; name: string | number | null };
  const pathOf = (entry: Entry): string => {
    const names: (string | number)[] = [];
    for (let at: Entry | null = entry; at && at.name !== null; at = at.parent) names.push(at.name);
    return formatPath(names.reverse());
  };
  const stack: Entry[] = [{ node: data, parent: null, name: null }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const node = entry.node;
    if (node === null) continue;
    if (typeof node === "string") {
      if (node === MASKED_PLACEHOLDER) continue;
      const at = test(node);
      if (at >= 0) return { field: pathOf(entry), text: snippetOf(node, at) };
    } else if (typeof node === "number" || typeof node === "boolean") {
      const text = String(node);
      if (test(text) >= 0) return { field: pathOf(entry), text };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], parent: entry, name: i });
    } else {
      const names = Object.keys(node);
      for (let i = names.length - 1; i >= 0; i--) {
        const name = names[i];
        const child: Entry = { node: node[name], parent: entry, name };
        if (test(name) >= 0) return { field: pathOf(child), text: name };
        stack.push(child);
      }
    }
  }
  return null;
}

/** The values a path leads to (every element at [*]; an array at the end stands for its elements). */
export function valuesAtPath(root: JsonValue, path: readonly PathSegment[]): JsonValue[] {
  let current: JsonValue[] = [root];
  for (const segment of path) {
    const next: JsonValue[] = [];
    for (const node of current) {
      if (node === null || typeof node !== "object") continue;
      if (segment.kind === "every") {
        if (Array.isArray(node)) next.push(...node);
        else next.push(...Object.values(node));
      } else if (segment.kind === "index") {
        if (Array.isArray(node) && segment.index < node.length) next.push(node[segment.index]);
      } else if (!Array.isArray(node) && Object.hasOwn(node, segment.name)) {
        next.push(node[segment.name]);
      }
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function scalarEquals(value: JsonValue, expected: string): boolean {
  if (value === MASKED_PLACEHOLDER) return false; // a masked value equals nothing, so it cannot be probed
  if (typeof value === "string") return value === expected;
  if (typeof value === "number" || typeof value === "boolean") return String(value) === expected;
  if (value === null) return expected === "null";
  return false;
}

export function compileSearchQuery(terms: readonly SearchTerm[]): SearchMatcher {
  const texts = terms.filter((term) => term.kind !== "field").map(compileText);
  const fields = terms.filter((term) => term.kind === "field");
  const keyDecides = (keyText: string) => fields.length === 0 && texts.every((test) => test(keyText) >= 0);
  return {
    needsValue: (keyText) => !keyDecides(keyText),
    match(keyText, value) {
      let site: MatchSite | null = null;
      if (fields.length > 0) {
        const data = value ? dataOf(value) : undefined;
        if (data === undefined || data === null || typeof data !== "object") return null;
        for (const field of fields) {
          const equal = valuesAtPath(data, field.path).some((found) => scalarEquals(found, field.value));
          if (equal !== (field.op === "=")) return null;
        }
        site = { field: fields[0].pathText, text: `${fields[0].op === "=" ? "" : "not "}${fields[0].value}` };
      }
      for (const test of texts) {
        const onKey = test(keyText);
        if (onKey >= 0) {
          site ??= { field: "key", text: snippetOf(keyText, onKey) };
          continue;
        }
        const found = value ? findInValue(value, test) : null;
        if (!found) return null;
        site ??= found;
      }
      return site ?? { field: "key", text: keyText };
    },
  };
}
