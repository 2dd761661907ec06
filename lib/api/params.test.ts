import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { futureRevisionError, refuseFutureRevisions, revisionOrThrow } from "./params";

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("revisionOrThrow", () => {
  it("reads positive whole numbers exactly, up to 2^53 - 1", () => {
    expect(revisionOrThrow("rev", undefined)).toBeUndefined();
    expect(revisionOrThrow("rev", "1")).toBe(1);
    expect(revisionOrThrow("rev", "9007199254740991")).toBe(9007199254740991);
  });

  it("refuses what a number cannot hold exactly instead of rounding it", () => {
    for (const text of ["9007199254740992", "999999999999999999", "1000000000000000000", "99999999999999999999999"]) {
      const error = refusal(() => revisionOrThrow("fromRevision", text));
      expect(error.code).toBe("bad_request");
      expect(error.message).toBe(`"fromRevision": a revision is at most 9007199254740991`);
    }
  });

  it("refuses what is not a positive whole number, naming the parameter", () => {
    for (const text of ["0", "-1", "1.5", "1e3", "abc", "", " 1", "0x10"]) {
      const error = refusal(() => revisionOrThrow("Last-Event-ID", text));
      expect(error).toMatchObject({ code: "bad_request", message: `"Last-Event-ID": a revision is a positive whole number` });
    }
  });
});

describe("refuseFutureRevisions", () => {
  it("passes revisions up to the current one and refuses the first above it", () => {
    expect(() => refuseFutureRevisions(10, { from: 3, to: 10, cursor: undefined })).not.toThrow();
    const error = refusal(() => refuseFutureRevisions(10, { from: 3, to: 11 }));
    expect(error).toMatchObject({ code: "future_revision", message: `"to" (11) is a future revision: etcd is at revision 10` });
    expect(error.details).toEqual({ currentRevision: 10 });
    expect(futureRevisionError("rev", 5, 4).message).toBe(`"rev" (5) is a future revision: etcd is at revision 4`);
  });
});
