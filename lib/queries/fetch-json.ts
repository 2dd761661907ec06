import type { ErrorBody } from "@/lib/api/errors";
import type { ErrorCode } from "@/lib/errors";
import { signInAgain } from "./sign-in-again";

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

// Node answers a request whose request line and headers exceed 16 KB with an empty 431, and the
// browser adds its own headers; proxies in front often allow 8 KB. Past this length the query
// goes in a POST body instead (every route that takes a key accepts both).
export const MAX_GET_URL_CHARS = 4096;

/** The request for an API URL: a GET, or a POST of its query when the URL would be too long. */
export function requestFor(url: string): { url: string; init: RequestInit } {
  const headers: Record<string, string> = { accept: "application/json" };
  const start = url.indexOf("?");
  if (url.length <= MAX_GET_URL_CHARS || start < 0) return { url, init: { headers } };
  headers["content-type"] = "application/x-www-form-urlencoded";
  return { url: url.slice(0, start), init: { method: "POST", headers, body: url.slice(start + 1) } };
}

export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    const request = requestFor(url);
    response = await fetch(request.url, { ...request.init, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "network", "the etcdlens server does not answer");
  }
  if (response.ok) return (await response.json()) as T;
  throw await readApiError(response);
}

/** The ApiError a non-2xx answer stands for (for callers that read the body themselves, like a stream). */
export async function readApiError(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // A proxy or a crashed server may answer with HTML; the status still says enough.
  }
  const error = body.error;
  if (response.status === 401 && error?.code === "unauthenticated") signInAgain();
  return new ApiError(
    response.status,
    error?.code ?? "internal",
    error?.message ?? `the server answered ${response.status}`,
    error?.compactRevision,
  );
}

export function isApiError(error: unknown, code?: ApiError["code"]): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
