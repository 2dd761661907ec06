import "server-only";
import {
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  EtcdUserNotFoundError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
} from "etcd3";
import { AppError } from "@/lib/errors";
import { ConfigurationError, describeSetting, type NamedCluster } from "@/lib/env";
import type { ClusterConnection } from "./client";
import { probeTls } from "./probe-tls";

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

function settingName(connection: ClusterConnection | undefined, field: "cacert" | "cert" | "user"): string {
  const cluster = connection?.settings as Partial<NamedCluster> | undefined;
  if (field === "cert") return `${describeSetting(cluster, "cert")} and ${describeSetting(cluster, "key")}`;
  return describeSetting(cluster, field);
}

// gRPC words a failed connection with the TLS library's text after "Last error:"; these are the
// shapes Node's OpenSSL gives for each cause, in the order they are told apart.
const SERVER_NAME_MISMATCH = /Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i;
const SERVER_CERT_EXPIRED = /certificate has expired|certificate is not yet valid/i;
const SERVER_NOT_TRUSTED =
  /unable to verify the first certificate|unable to get (local )?issuer certificate|self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN/i;
// The alerts a server sends when it rejects the client: bad certificate (42), unknown CA (48),
// certificate required (116, TLS 1.3).
const CLIENT_REJECTED = /alert (bad certificate|unknown ca|certificate required)|alert number (42|48|116)/i;
const REFUSED = /ECONNREFUSED/;
const NAME_UNRESOLVED = /Name resolution failed|ENOTFOUND|EAI_AGAIN/i;

/** What an operator should read for an unreachable cluster: the cause in words, never gRPC's text. */
function describeUnreachable(error: unknown, connection: ClusterConnection | undefined, endpoints: string): string {
  const message = messageOf(error);
  const settings = connection?.settings;
  if (SERVER_NAME_MISMATCH.test(message)) {
    return `the certificate of etcd at ${endpoints} does not name the host it was reached by; use an endpoint host the certificate lists`;
  }
  if (SERVER_CERT_EXPIRED.test(message)) return `the certificate of etcd at ${endpoints} has expired or is not valid yet`;
  if (SERVER_NOT_TRUSTED.test(message)) {
    return settings?.caFile
      ? `the certificate of etcd at ${endpoints} is not signed by ${settingName(connection, "cacert")}`
      : `the certificate of etcd at ${endpoints} is not signed by a CA this server trusts; set ${settingName(connection, "cacert")} to the CA that signed it`;
  }
  if (CLIENT_REJECTED.test(message)) {
    return settings?.certFile
      ? `etcd at ${endpoints} rejected the client certificate (${settingName(connection, "cert")}): it is not signed by a CA etcd trusts`
      : `etcd at ${endpoints} requires a client certificate; set ${settingName(connection, "cert")}`;
  }
  if (REFUSED.test(message)) return `nothing accepts connections at ${endpoints} (connection refused)`;
  if (NAME_UNRESOLVED.test(message)) return `the host name in ${endpoints} cannot be resolved`;
  if (error instanceof GRPCDeadlineExceededError || /Deadline exceeded|ETIMEDOUT|did not answer within/i.test(message)) {
    return `etcd at ${endpoints} did not answer within ${settings?.requestTimeoutMs ?? "the"} ms`;
  }
  return vaguelyUnreachable(endpoints);
}

function vaguelyUnreachable(endpoints: string): string {
  return `etcd is unreachable at ${endpoints}`;
}

/**
 * Turns whatever the etcd client threw into the error the API answers with. Messages are written
 * for the browser: they name the setting to fix, never a file path or the client library's text;
 * the original error travels as the cause, for the server's log.
 */
export function toAppError(error: unknown, connection: ClusterConnection | undefined): AppError {
  if (error instanceof AppError) return error;
  const endpoints = connection?.describeEndpoints() ?? "the configured endpoints";
  const cause = { cause: error };
  if (error instanceof ConfigurationError) {
    return new AppError("etcd_unavailable", `etcd connection is misconfigured: ${error.message}`, { endpoint: endpoints }, cause);
  }
  if (error instanceof EtcdAuthenticationFailedError || error instanceof EtcdUserNotFoundError) {
    return new AppError(
      "etcd_unavailable",
      `etcd at ${endpoints} refused the credentials: the user name or password (${settingName(connection, "user")}) is wrong`,
      { endpoint: endpoints },
      cause,
    );
  }
  if (error instanceof EtcdPermissionDeniedError) {
    return new AppError(
      "etcd_unavailable",
      `etcd at ${endpoints} does not let this user read that (permission denied)`,
      { endpoint: endpoints },
      cause,
    );
  }
  if (messageOf(error).includes(FUTURE)) {
    return new AppError("future_revision", "that revision is in the future: etcd has not reached it yet", {}, cause);
  }
  if (isUnreachable(error)) {
    return new AppError("etcd_unavailable", describeUnreachable(error, connection, endpoints), { endpoint: endpoints }, cause);
  }
  return new AppError("internal", "internal error; the server log has the details", {}, cause);
}

// One handshake answers every request that fails in the same few seconds: a page asks several
// things at once, and an outage must not turn into a stream of handshakes. Short, because the
// request waits for it.
const PROBE_REUSE_MS = 5_000;
const PROBE_TIMEOUT_MS = 1_000;
const probes = new WeakMap<ClusterConnection, { at: number; result: Promise<Error | undefined> }>();

function probeOnce(connection: ClusterConnection): Promise<Error | undefined> {
  const recent = probes.get(connection);
  if (recent && Date.now() - recent.at < PROBE_REUSE_MS) return recent.result;
  const result = probeTls(connection, Math.min(connection.settings.requestTimeoutMs, PROBE_TIMEOUT_MS));
  probes.set(connection, { at: Date.now(), result });
  return result;
}

/**
 * toAppError, and when gRPC gave no reason for an unreachable cluster (see probe-tls.ts), the
 * reason one TLS handshake of our own finds. The cause stays the client's error.
 */
export async function explainEtcdError(error: unknown, connection: ClusterConnection): Promise<AppError> {
  const appError = toAppError(error, connection);
  if (appError.code !== "etcd_unavailable" || appError.message !== vaguelyUnreachable(connection.describeEndpoints())) return appError;
  const found = await probeOnce(connection);
  if (!found) return appError;
  const explained = toAppError(found, connection);
  if (explained.message === appError.message) return appError;
  return new AppError(explained.code, explained.message, explained.details, { cause: error });
}
