// The application's typed errors, shared by every layer: lib/etcd and lib/decode throw them,
// and only lib/api decides which HTTP status each code gets. Kept apart from the wire layer so
// that nothing below lib/api imports upward.

export type ErrorCode =
  "bad_request" | "not_found" | "compacted" | "future_revision" | "etcd_unavailable" | "unauthenticated" | "forbidden" | "internal";

export type ErrorDetails = {
  compactRevision?: number;
  currentRevision?: number;
  endpoint?: string;
  /** A compacted revision of a key the archive leaves out: why ("excluded by configuration (/registry/events/)"). */
  notArchived?: string;
  /** A compacted revision the archive might hold, but it could not be read: why, without server paths. */
  archiveUnavailable?: string;
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}
