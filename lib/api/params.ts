import { z } from "zod";
import { AppError } from "@/lib/errors";
import { revisionProblem } from "@/lib/revision";

// Schemas for the numeric query parameters the routes share.

export const revisionParam = z
  .string()
  .superRefine((text, context) => {
    const problem = revisionProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform(Number)
  .optional();

/**
 * A revision read from a query parameter or header named `name`: exact, or a bad_request saying
 * why. The one parser every route uses for rev, before, from, to, cursor, fromRevision and
 * Last-Event-ID.
 */
export function parseRevision(name: string, text: string | undefined): number | undefined {
  const result = revisionParam.safeParse(text);
  if (!result.success) throw new AppError("bad_request", `"${name}": ${result.error.issues[0]?.message ?? "invalid value"}`);
  return result.data;
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
