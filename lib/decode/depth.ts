// How deeply a decoded value may nest, and the one guard every decoder and entry point uses.
import { readStrictUtf8 } from "./bytes";
import type { DecodedValue, DecodeProblem } from "./types";

/**
 * Deeper documents are shown as their text (binary formats as a problem beside the raw bytes):
 * everything after decoding recurses once per level or more (YAML printing for the value view and
 * diffs, the structural diff, JSON responses, the browser's tree). Measured in a bare Node 20
 * process: the yaml library's stringify of nested maps runs out of stack between 500 and 700
 * levels and its parser between 500 and 1,000, so the limit keeps a wide margin below both.
 * Kubernetes objects nest a few dozen levels at most (CRD schemas included).
 */
export const MAX_NESTING_DEPTH = 200;

/** The problem a too-deep value carries; the raw bytes stay available beside it. */
export const TOO_DEEP: DecodeProblem = Object.freeze({
  message: `nested deeper than ${MAX_NESTING_DEPTH} levels: too deeply nested to display; the raw bytes are shown instead`,
});

/**
 * Whether a JSON-like value has more than `limit` levels of arrays and objects. Iterative, so it
 * answers for any depth without using the stack.
 */
export function exceedsDepth(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  return countLevels(value, limit) > limit;
}

/**
 * How many levels of arrays and objects a JSON-like value has (a scalar has none), counted up to
 * limit + 1: the walk stops at the first path deeper than the limit.
 */
export function countLevels(value: unknown, limit = MAX_NESTING_DEPTH): number {
  const pending: unknown[] = [value];
  const depths: number[] = [0];
  let deepest = 0;
  while (pending.length > 0) {
    const item = pending.pop();
    const depth = depths.pop() ?? 0;
    if (item === null || typeof item !== "object") continue;
    if (depth + 1 > deepest) {
      deepest = depth + 1;
      if (deepest > limit) return deepest;
    }
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (child !== null && typeof child === "object") {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return deepest;
}

/**
 * An upper bound on how deeply a YAML text nests, read from the text alone: every level needs a
 * flow bracket, one more column of indentation, or an indicator ("- ", "? ", ": ") on its line.
 * The yaml parser must not meet a text deeper than its stack: besides throwing, a stack overflow
 * inside it has been seen to abort the whole process (V8's regexp compiler out of memory).
 */
export function yamlNestingBound(text: string): number {
  let flow = 0;
  let deepestFlow = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5b || char === 0x7b) deepestFlow = Math.max(deepestFlow, ++flow);
    else if ((char === 0x5d || char === 0x7d) && flow > 0) flow--;
  }
  let deepestBlock = 0;
  for (const line of text.split("\n")) {
    const indent = line.length - line.trimStart().length;
    const indicators = line.match(/(?:^|\s)[-?](?=\s|$)|:(?=\s|$)/g)?.length ?? 0;
    deepestBlock = Math.max(deepestBlock, indent + indicators);
  }
  return deepestFlow + deepestBlock;
}

/**
 * The decoded value, or, when it nests deeper than the limit, a form every later walk can take:
 * JSON and YAML documents become their text, CBOR and Kubernetes objects keep their type and say
 * why nothing is shown (a Secret is never turned into its text). `levelsAtMost` is a bound the
 * decoder proved while building the value (see NestingBound); within the limit, no walk is needed.
 */
export function limitNesting(value: DecodedValue, bytes: Uint8Array, levelsAtMost = Infinity): DecodedValue {
  if (levelsAtMost <= MAX_NESTING_DEPTH) return value;
  switch (value.format) {
    case "json":
      return exceedsDepth(value.data) ? { format: "text", text: readStrictUtf8(bytes) ?? "" } : value;
    case "yaml":
      return exceedsDepth(value.data) ? { format: "text", text: value.text } : value;
    case "cbor":
      return exceedsDepth(value.data) ? { format: "cbor", data: null, error: TOO_DEEP } : value;
    case "kubernetes":
      return exceedsDepth(value.object) ? { ...value, object: {}, error: TOO_DEEP } : value;
    default:
      return value;
  }
}
