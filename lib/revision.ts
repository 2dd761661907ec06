// Revisions written as text (query parameters, page URLs): pure, shared by server and browser, so
// the page URL and every route read a revision the same way.

// etcd revisions are int64. Past 2^53 a JavaScript number cannot hold every integer: such a
// revision is refused rather than read as its rounded neighbour. No etcd reaches it in practice
// (a million writes a second for 285 years).
const REVISION_TEXT = /^[1-9][0-9]*$/;

/** Why `text` is not an exact revision, or undefined when it is one. */
export function revisionProblem(text: string): string | undefined {
  if (!REVISION_TEXT.test(text)) return "a revision is a positive whole number";
  if (!Number.isSafeInteger(Number(text))) return `a revision is at most ${Number.MAX_SAFE_INTEGER}`;
  return undefined;
}

/** The revision `text` names exactly; undefined when it is absent or names none. */
export function readRevisionText(text: string | undefined): number | undefined {
  return text !== undefined && revisionProblem(text) === undefined ? Number(text) : undefined;
}
