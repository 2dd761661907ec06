import "server-only";
import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdLeaseInvalidError,
  EtcdPermissionDeniedError,
  EtcdUserNotFoundError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCNotFoundError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from "etcd3";

// The kind of a failed etcd RPC, as the etcdlens_etcd_rpc_errors_total metric labels it: a few
// fixed words an alert can name, never the error's text (it holds endpoints and keys). etcd says
// "compacted" and "future revision" as OUT_OF_RANGE with a message; the rest by gRPC status.

export const RPC_ERROR_KINDS = [
  "compacted",
  "future_revision",
  "deadline_exceeded",
  "unavailable",
  "permission_denied",
  "unauthenticated",
  "resource_exhausted",
  "cancelled",
  "not_found",
  "invalid_argument",
  "other",
] as const;

export type RpcErrorKind = (typeof RPC_ERROR_KINDS)[number];

const UNREACHABLE = /circuit breaker is open|No connection established|ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT|Connection dropped/i;

export function rpcErrorKindOf(error: unknown): RpcErrorKind {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes("required revision has been compacted")) return "compacted";
  if (message.includes("required revision is a future revision")) return "future_revision";
  if (error instanceof GRPCDeadlineExceededError) return "deadline_exceeded";
  if (error instanceof GRPCUnavailableError || UNREACHABLE.test(message)) return "unavailable";
  if (error instanceof EtcdPermissionDeniedError) return "permission_denied";
  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof EtcdUserNotFoundError ||
    error instanceof GRPCUnauthenticatedError
  ) {
    return "unauthenticated";
  }
  if (error instanceof GRPCResourceExhastedError) return "resource_exhausted";
  if (error instanceof GRPCCancelledError) return "cancelled";
  if (error instanceof EtcdLeaseInvalidError || error instanceof GRPCNotFoundError) return "not_found";
  if (error instanceof GRPCInvalidArgumentError) return "invalid_argument";
  return "other";
}
