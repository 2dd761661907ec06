import "server-only";
import {
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  EtcdUserNotFoundError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
} from "etcd3";
import { AppError } from "@/lib/errors";
import { ConfigurationError } from "@/lib/env";
import type { ClusterConnection } from "./client";

const COMPACTED = "required revision has been compacted";
const FUTURE = "required revision is a future revision";

export function isCompactedError(error: unknown): boolean {
  return error instanceof Error && error.message.includes(COMPACTED);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// etcd3 and gRPC report an unreachable cluster in several shapes: a closed circuit breaker, a
// deadline, UNAVAILABLE, a TLS handshake failure. All of them mean "cannot talk to etcd".
function isUnreachable(error: unknown): boolean {
  if (error instanceof GRPCUnavailableError || error instanceof GRPCDeadlineExceededError) return true;
  const message = messageOf(error);
  return /circuit breaker is open|No connection established|ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT|handshake|certificate|Deadline exceeded|Connection dropped|UNAVAILABLE/i.test(
    message,
  );
}

/** Turns whatever the etcd client threw into the error the API answers with. */
export function toAppError(error: unknown, connection: ClusterConnection | undefined): AppError {
  if (error instanceof AppError) return error;
  const endpoints = connection?.describeEndpoints() ?? "the configured endpoints";
  if (error instanceof ConfigurationError) {
    return new AppError("etcd_unavailable", `etcd connection is misconfigured: ${error.message}`, { endpoint: endpoints });
  }
  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdUserNotFoundError ||
    error instanceof EtcdPermissionDeniedError
  ) {
    return new AppError("etcd_unavailable", `etcd at ${endpoints} refused the credentials: ${messageOf(error)}`, {
      endpoint: endpoints,
    });
  }
  if (messageOf(error).includes(FUTURE)) {
    return new AppError("future_revision", "that revision is in the future: etcd has not reached it yet");
  }
  if (isUnreachable(error)) {
    return new AppError("etcd_unavailable", `etcd is unreachable at ${endpoints}: ${messageOf(error)}`, {
      endpoint: endpoints,
    });
  }
  return new AppError("internal", messageOf(error));
}
