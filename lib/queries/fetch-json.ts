import type { ErrorBody } from "@/lib/api/errors";
import type { ErrorCode } from "@/lib/errors";
import { withActiveCluster } from "./active-cluster";

// The browser's side of the API's error shape: every non-2xx answer becomes an ApiError carrying
// the server's code and message, so components can tell "not found" from "etcd is down".

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
    readonly compactRevision?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(withActiveCluster(url), { signal, headers: { accept: "application/json" } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "network", "the etcdlens server does not answer");
  }
  if (response.ok) return (await response.json()) as T;
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // A proxy or a crashed server may answer with HTML; the status still says enough.
  }
  const error = body.error;
  throw new ApiError(
    response.status,
    error?.code ?? "internal",
    error?.message ?? `the server answered ${response.status}`,
    error?.compactRevision,
  );
}

export function isApiError(error: unknown, code?: ApiError["code"]): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
