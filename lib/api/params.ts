import { z } from "zod";

// Schemas for the numeric query parameters the routes share.

export const revisionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,17}$/, "a revision is a positive whole number")
  .transform(Number)
  .optional();

export function limitParam(defaultLimit: number, maxLimit: number) {
  return z
    .string()
    .regex(/^[1-9][0-9]*$/, "a limit is a positive whole number")
    .transform(Number)
    .refine((value) => value <= maxLimit, `a limit is at most ${maxLimit}`)
    .optional()
    .transform((value) => value ?? defaultLimit);
}
