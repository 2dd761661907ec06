// One error shape on the wire: {"error": {"code", "message", ...details}} with a fitting status.
import type { AppError, ErrorCode, ErrorDetails } from "@/lib/errors";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  compacted: 410,
  future_revision: 400,
  etcd_unavailable: 502,
  unauthenticated: 401,
  forbidden: 403,
  internal: 500,
};

export function statusOf(error: AppError): number {
  return STATUS[error.code];
}

export type ErrorBody = { error: { code: ErrorCode; message: string } & ErrorDetails };

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}
