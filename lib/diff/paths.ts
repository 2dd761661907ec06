// Field paths of a JSON value: segments (object keys as strings, array indexes as numbers) and the
// way a person reads them, `spec.template.spec.containers[0].image`, with keys that are not plain
// identifiers (annotation names) bracketed: `metadata.annotations["app.kubernetes.io/name"]`.

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let text = "";
  for (const segment of segments) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** A pattern segment is a key, an index, or `*` (any key or index). */
export type PatternSegment = string | number | typeof ANY;
export const ANY: unique symbol = Symbol("any");

/**
 * Parses a path pattern written the way paths are shown: `metadata.managedFields[*].time`,
 * `metadata.annotations["a.b/c"]`, `status.conditions[*]`. Returns undefined for malformed text.
 */
export function parsePattern(text: string): PatternSegment[] | undefined {
  const segments: PatternSegment[] = [];
  let i = 0;
  const source = text.trim();
  if (source === "") return undefined;
  while (i < source.length) {
    if (source[i] === "[") {
      const close = source.indexOf("]", i);
      if (close < 0) return undefined;
      const inner = source.slice(i + 1, close);
      if (inner === "*") segments.push(ANY);
      else if (/^[0-9]+$/.test(inner)) segments.push(Number(inner));
      else {
        try {
          const key: unknown = JSON.parse(inner);
          if (typeof key !== "string") return undefined;
          segments.push(key);
        } catch {
          return undefined;
        }
      }
      i = close + 1;
      continue;
    }
    if (source[i] === ".") {
      if (segments.length === 0) return undefined;
      i += 1;
    }
    const match = /^[^.[\]]+/.exec(source.slice(i));
    if (!match) return undefined;
    segments.push(match[0] === "*" ? ANY : match[0]);
    i += match[0].length;
  }
  return segments;
}

/** Whether the path lies at or below the pattern (a pattern names a field and all inside it). */
export function pathMatches(path: readonly PathSegment[], pattern: readonly PatternSegment[]): boolean {
  if (pattern.length > path.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    if (want === ANY) continue;
    if (want !== path[i]) return false;
  }
  return true;
}
