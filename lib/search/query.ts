// The search box's query language, parsed into terms that all have to hold (AND). Pure, shared by
// the route (which refuses a malformed query with a 400) and the page (which says why as you type).
//
//   nginx                          a substring, case-insensitive, of the key or of any decoded field
//   "two words" or "a=b"           the same, quoted: spaces, commas and "=" are then literal
//   /ngin.?x:1\.2[0-9]/i           a regular expression over the same (flags: i, m, s, u)
//   status.phase!=Running          a field condition on a decoded object (Kubernetes, JSON, YAML)
//   spec.containers[*].image=x     [*] is every element of an array, [0] one of them
//   metadata.labels["app.kubernetes.io/name"]=web    a field whose name has dots or slashes
//
// Terms are separated by spaces or commas. A term is a field condition only when the text before
// its "=" or "!=" is a path; anything else is a substring.
//
// JavaScript has no regex timeout, and a backtracking engine can take exponential time on a
// pattern like (a+)+$. So a pattern is refused when it can backtrack catastrophically: a
// quantified group holding a quantifier or an alternative (the exponential cases), a
// backreference, or more than MAX_OPEN_QUANTIFIERS unbounded quantifiers (each one multiplies the
// polynomial worst case by the text length). The text a regex runs over is bounded as well (see
// match.ts: windows of REGEX_WINDOW_CHARS), so the worst case of an accepted pattern is about
// window³ steps per window, milliseconds.

export type PathSegment = { kind: "field"; name: string } | { kind: "every" } | { kind: "index"; index: number };

export type SearchTerm =
  | { kind: "substring"; text: string }
  | { kind: "regex"; source: string; flags: string }
  | { kind: "field"; path: PathSegment[]; pathText: string; op: "=" | "!="; value: string };

export type ParsedQuery = { ok: true; terms: SearchTerm[] } | { ok: false; message: string };

export const MAX_QUERY_CHARS = 2000;
export const MAX_REGEX_CHARS = 200;
export const MAX_OPEN_QUANTIFIERS = 2;
const MAX_TERMS = 20;
const REGEX_FLAGS = new Set(["i", "m", "s", "u"]);

class QueryError extends Error {}

export function parseSearchQuery(query: string): ParsedQuery {
  if (query.length > MAX_QUERY_CHARS) return { ok: false, message: `a query is at most ${MAX_QUERY_CHARS} characters` };
  try {
    const terms = readTerms(query);
    if (terms.length === 0)
      return { ok: false, message: "the query is empty: give a text, a /regex/ or a field condition like status.phase=Running" };
    if (terms.length > MAX_TERMS) return { ok: false, message: `a query has at most ${MAX_TERMS} terms` };
    return { ok: true, terms };
  } catch (error) {
    if (error instanceof QueryError) return { ok: false, message: error.message };
    throw error;
  }
}

const isSeparator = (char: string) => char === " " || char === "," || char === "\t" || char === "\n" || char === "\r";

function readTerms(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let at = 0;
  while (at < query.length) {
    if (isSeparator(query[at])) {
      at += 1;
      continue;
    }
    const start = at;
    if (query[at] === "/") {
      const { term, end } = readRegex(query, at);
      terms.push(term);
      at = end;
    } else if (query[at] === '"') {
      const { text, end } = readQuoted(query, at);
      if (text === "") throw new QueryError(`an empty quoted text at position ${start + 1} matches everything; leave it out`);
      terms.push({ kind: "substring", text });
      at = end;
    } else {
      const { term, end } = readWord(query, at);
      terms.push(term);
      at = end;
    }
    if (at < query.length && !isSeparator(query[at])) {
      throw new QueryError(`expected a space or a comma after the term at position ${start + 1}, found "${query[at]}"`);
    }
  }
  return terms;
}

/** A "..." text with \" and \\ escapes, from the opening quote; `end` is just past the closing one. */
function readQuoted(query: string, from: number): { text: string; end: number } {
  let text = "";
  for (let at = from + 1; at < query.length; at++) {
    const char = query[at];
    if (char === "\\" && at + 1 < query.length) {
      text += query[++at];
    } else if (char === '"') {
      return { text, end: at + 1 };
    } else text += char;
  }
  throw new QueryError(`the quote at position ${from + 1} is not closed`);
}

function readRegex(query: string, from: number): { term: SearchTerm; end: number } {
  let inClass = false;
  for (let at = from + 1; at < query.length; at++) {
    const char = query[at];
    if (char === "\\") {
      at += 1;
      continue;
    }
    if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) {
      const source = query.slice(from + 1, at);
      let end = at + 1;
      while (end < query.length && /[a-z]/i.test(query[end])) end += 1;
      const flags = query.slice(at + 1, end);
      return { term: checkRegex(source, flags, from), end };
    }
  }
  throw new QueryError(`the regular expression at position ${from + 1} has no closing "/" (to search for a "/", quote it: "/registry")`);
}

function checkRegex(source: string, flags: string, position: number): SearchTerm {
  const where = `the regular expression at position ${position + 1}`;
  if (source === "") throw new QueryError(`${where} is empty`);
  if (source.length > MAX_REGEX_CHARS) throw new QueryError(`${where} is longer than ${MAX_REGEX_CHARS} characters`);
  for (const flag of flags) {
    if (!REGEX_FLAGS.has(flag)) throw new QueryError(`${where} has the flag "${flag}"; the flags allowed are i, m, s and u`);
  }
  if (new Set(flags).size !== flags.length) throw new QueryError(`${where} repeats a flag`);
  try {
    new RegExp(source, flags);
  } catch (error) {
    throw new QueryError(
      `${where} is not valid: ${error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : "invalid"}`,
    );
  }
  const risk = findBacktrackingRisk(source);
  if (risk) throw new QueryError(`${where} ${risk}; such patterns can take exponential time`);
  return { kind: "regex", source, flags };
}

/**
 * Why a (valid) pattern could backtrack catastrophically, or undefined. Reads the pattern's
 * structure only: groups, classes, escapes and quantifiers.
 */
export function findBacktrackingRisk(source: string): string | undefined {
  // Per open group: whether it holds a quantifier or an alternative so far.
  const groups: { quantified: boolean; alternative: boolean }[] = [];
  let open = 0;
  let lastWasGroup: { quantified: boolean; alternative: boolean } | null = null;
  for (let at = 0; at < source.length; at++) {
    const char = source[at];
    let closed: { quantified: boolean; alternative: boolean } | null = null;
    if (char === "\\") {
      const next = source[at + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "uses a backreference";
      at += 1;
    } else if (char === "[") {
      // A class is one character, whatever it holds.
      for (at += 1; at < source.length && source[at] !== "]"; at++) if (source[at] === "\\") at += 1;
    } else if (char === "(") {
      groups.push({ quantified: false, alternative: false });
      if (source[at + 1] === "?") at += source[at + 2] === "<" && source[at + 3] !== "=" && source[at + 3] !== "!" ? 2 : 1;
    } else if (char === ")") {
      closed = groups.pop() ?? null;
    } else if (char === "|") {
      if (groups.length > 0) groups[groups.length - 1].alternative = true;
    } else if (char === "*" || char === "+" || char === "?" || char === "{") {
      let unbounded = char === "*" || char === "+";
      if (char === "{") {
        const bound = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
        if (!bound) continue; // a literal "{"
        unbounded = bound[2] !== undefined && (bound[3] === "" || Number(bound[3]) > 16);
        at += bound[0].length - 1;
      }
      if (source[at + 1] === "?") at += 1; // lazy: the same backtracking
      if (lastWasGroup && (lastWasGroup.quantified || lastWasGroup.alternative) && (unbounded || char === "{")) {
        return lastWasGroup.quantified
          ? "repeats a group that holds a quantifier, like (a+)+"
          : "repeats a group of alternatives, like (a|ab)*";
      }
      if (unbounded) {
        open += 1;
        if (open > MAX_OPEN_QUANTIFIERS) return `has more than ${MAX_OPEN_QUANTIFIERS} unbounded quantifiers (*, + or {n,})`;
      }
      for (const group of groups) group.quantified = true;
      lastWasGroup = null;
      continue;
    }
    lastWasGroup = closed;
    if (closed) {
      // What the group held counts for the groups around it too.
      const outer = groups[groups.length - 1];
      if (outer) outer.quantified ||= closed.quantified;
    }
  }
  return undefined;
}

const PATH_START = /[A-Za-z_$]/;
const PATH_CHAR = /[A-Za-z0-9_$-]/;

/** A bare word: a field condition when it starts with a path followed by = or !=, else a substring. */
function readWord(query: string, from: number): { term: SearchTerm; end: number } {
  const path = readPath(query, from);
  if (path && (query.startsWith("=", path.end) || query.startsWith("!=", path.end))) {
    const op = query[path.end] === "=" ? "=" : "!=";
    let at = path.end + op.length;
    let value: string;
    if (query[at] === '"') {
      const quoted = readQuoted(query, at);
      value = quoted.text;
      at = quoted.end;
    } else {
      const start = at;
      while (at < query.length && !isSeparator(query[at])) at += 1;
      value = query.slice(start, at);
    }
    return { term: { kind: "field", path: path.segments, pathText: query.slice(from, path.end), op, value }, end: at };
  }
  let end = from;
  while (end < query.length && !isSeparator(query[end])) end += 1;
  return { term: { kind: "substring", text: query.slice(from, end) }, end };
}

/** A path (a.b[*].c["d.e/f"][0]) from `from`, or undefined when the text there is not one. */
function readPath(query: string, from: number): { segments: PathSegment[]; end: number } | undefined {
  if (!PATH_START.test(query[from] ?? "")) return undefined;
  const segments: PathSegment[] = [];
  let at = from;
  const readName = () => {
    const start = at;
    while (at < query.length && PATH_CHAR.test(query[at])) at += 1;
    return query.slice(start, at);
  };
  segments.push({ kind: "field", name: readName() });
  while (at < query.length) {
    if (query[at] === ".") {
      at += 1;
      if (!PATH_START.test(query[at] ?? "") && !/[0-9]/.test(query[at] ?? "")) return undefined;
      segments.push({ kind: "field", name: readName() });
    } else if (query.startsWith("[*]", at)) {
      segments.push({ kind: "every" });
      at += 3;
    } else if (query[at] === "[") {
      const index = /^\[(\d{1,9})\]/.exec(query.slice(at));
      if (index) {
        segments.push({ kind: "index", index: Number(index[1]) });
        at += index[0].length;
      } else if (query[at + 1] === '"') {
        const quoted = readQuoted(query, at + 1);
        if (query[quoted.end] !== "]") throw new QueryError(`expected "]" after the quoted field name at position ${at + 1}`);
        segments.push({ kind: "field", name: quoted.text });
        at = quoted.end + 1;
      } else {
        throw new QueryError(`"[" at position ${at + 1} starts neither [*], [N] nor ["field name"]`);
      }
    } else break;
  }
  return { segments, end: at };
}

/** The path as the query language writes it, for showing where a match was found. */
export function formatPath(names: readonly (string | number)[]): string {
  let out = "";
  for (const name of names) {
    if (typeof name === "number") out += `[${name}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name)) out += out === "" ? name : `.${name}`;
    else out += `[${JSON.stringify(name)}]`;
  }
  return out;
}
