// One error shape on the wire: {"error": {"code", "message", ...details}} with a fitting status.

export type ErrorCode =
  | "bad_request"
  | "not_found"
  | "compacted"
  | "future_revision"
  | "etcd_unavailable"
  | "forbidden"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  compacted: 410,
  future_revision: 400,
  etcd_unavailable: 502,
  forbidden: 403,
  internal: 500,
};

export type ErrorDetails = { compactRevision?: number; currentRevision?: number; endpoint?: string };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export type ErrorBody = { error: { code: ErrorCode; message: string } & ErrorDetails };

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}
