import { z } from "zod";
import { AppError } from "@/lib/errors";
import { parseRevision, parseRevisionOrTime, parseTime, type RevisionOrTime } from "@/lib/params";

// The routes' side of lib/params.ts (whose rules pages share): a parameter that names nothing
// becomes a bad_request naming the parameter.

/**
 * A revision read from a query parameter or header named `name`: exact, or a bad_request saying
 * why. The one parser every route uses for rev, before, from, to, cursor, fromRevision and
 * Last-Event-ID.
 */
export function revisionOrThrow(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseRevision(text);
  if (!parsed.ok) throw new AppError("bad_request", `"${name}": ${parsed.message}`);
  return parsed.value;
}

/** A time (RFC 3339) read from a query parameter, as epoch ms, or a bad_request saying why; undefined when absent. */
export function timeOrThrow(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseTime(text);
  if (!parsed.ok) throw new AppError("bad_request", `"${name}": ${parsed.message}`);
  return parsed.value;
}

/** A revision or a time (the change feed's from/to), or a bad_request saying why; undefined when absent. */
export function revisionOrTimeOrThrow(name: string, text: string | undefined): RevisionOrTime | undefined {
  if (text === undefined) return undefined;
  const parsed = parseRevisionOrTime(text);
  if (!parsed.ok) throw new AppError("bad_request", `"${name}": ${parsed.message}`);
  return parsed.value;
}

/** The refusal every route gives a revision etcd has not reached yet. */
export function futureRevisionError(name: string, revision: number, currentRevision: number): AppError {
  return new AppError("future_revision", `"${name}" (${revision}) is a future revision: etcd is at revision ${currentRevision}`, {
    currentRevision,
  });
}

/** Throws the future-revision refusal for the first requested revision above the current one. */
export function refuseFutureRevisions(currentRevision: number, revisions: Record<string, number | undefined>): void {
  for (const [name, revision] of Object.entries(revisions)) {
    if (revision !== undefined && revision > currentRevision) throw futureRevisionError(name, revision, currentRevision);
  }
}

export function limitParam(defaultLimit: number, maxLimit: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]*$/, "a limit is a positive whole number")
    .transform(Number)
    .refine((value) => value <= maxLimit, `a limit is at most ${maxLimit}`)
    .optional()
    .transform((value) => value ?? defaultLimit);
}
