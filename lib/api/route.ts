import "server-only";
import { ZodError, type ZodType } from "zod";
import { ConfigurationError } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { errorBody, statusOf } from "./errors";
import { logFailure } from "./log-failure";
import { parseKeyParam, type Parsed } from "@/lib/params";
import { revisionOrThrow, revisionOrTimeOrThrow, timeOrThrow } from "./params";
import { archiveNameOf, findRevisionAtTime, type RevisionAtTime } from "@/lib/archive/revision-times";
import { rawQueryOf } from "./raw-query";
import { RequestAccess } from "@/lib/auth/request-access";
import { base64UrlToBytes, MalformedParamError, readRawQuery } from "@/lib/keys";
import { observeHttpRequest } from "@/lib/metrics/http";

// The wrapper every route handler uses: it parses nothing itself, but guarantees that whatever
// goes wrong leaves as {"error": {"code", "message"}} with a fitting status and never as a stack
// trace. Unexpected errors are logged here, on the server, and answered with a generic 500.

// Every route but the public ones (apiRoute's `public` option: the health check) first learns who is
// asking (RequestAccess.of: the viewer the gate in proxy.ts vouched for, else a 401), and hands the
// handler what that viewer may see; the handler asks it before reading.

export function apiRoute(handler: (request: Request, access: RequestAccess) => Promise<unknown>): (request: Request) => Promise<Response>;
export function apiRoute(
  handler: (request: Request) => Promise<unknown>,
  options: { public: true },
): (request: Request) => Promise<Response>;
export function apiRoute(handler: (request: Request, access: RequestAccess) => Promise<unknown>, options?: { public: true }) {
  return async function route(request: Request): Promise<Response> {
    const started = performance.now();
    const response = await answer(request);
    observeHttpRequest(request, response.status, (performance.now() - started) / 1000);
    return response;
  };

  async function answer(request: Request): Promise<Response> {
    try {
      const access = options?.public ? undefined : RequestAccess.of(request);
      const body = await handler(request, access!);
      if (body instanceof Response) return body;
      return Response.json(body, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      const appError = asAppError(error);
      logFailure(appError);
      return Response.json(errorBody(appError), { status: statusOf(appError), headers: { "cache-control": "no-store" } });
    }
  }
}

/** Any thrown value as the AppError it is answered with (a streaming route reports errors in its stream). */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof MalformedParamError) return new AppError("bad_request", error.message);
  if (error instanceof ConfigurationError) {
    return new AppError("etcd_unavailable", `the etcd connection is misconfigured: ${error.message}`, {}, { cause: error });
  }
  if (error instanceof ZodError) return new AppError("bad_request", error.issues.map((issue) => issue.message).join("; "));
  return new AppError("internal", "internal error; the server log has the details", {}, { cause: error });
}

// etcd refuses requests over 1.5 MiB by default (--max-request-bytes); a key percent-encoded
// takes at most three times its bytes.
const MAX_QUERY_BODY_BYTES = 8 * 1024 * 1024;

function valueOrThrow<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new AppError("bad_request", parsed.message);
  return parsed.value;
}

/** Query parameters read from the raw URL, so that keys keep their exact bytes. */
export class QueryParams {
  private readonly raw: Map<string, string>;

  constructor(request: Request, rawQuery = rawQueryOf(request)) {
    this.raw = readRawQuery(rawQuery);
  }

  /**
   * The parameters of a GET's query string, or of a POST's body holding the same query string:
   * a key too long for a URL (Node refuses a request line and headers over 16 KB with an empty
   * 431) travels in the body instead.
   */
  static async read(request: Request): Promise<QueryParams> {
    if (request.method !== "POST") return new QueryParams(request);
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > MAX_QUERY_BODY_BYTES) throw new AppError("bad_request", `a query body is at most ${MAX_QUERY_BODY_BYTES} bytes`);
    const body = await request.text();
    if (body.length > MAX_QUERY_BODY_BYTES) throw new AppError("bad_request", `a query body is at most ${MAX_QUERY_BODY_BYTES} bytes`);
    return new QueryParams(request, body.startsWith("?") ? body : `?${body}`);
  }

  keyOrThrow(name: string): Uint8Array {
    return valueOrThrow(parseKeyParam(name, this.raw.get(name), true));
  }

  keyOrEmpty(name: string): Uint8Array {
    return valueOrThrow(parseKeyParam(name, this.raw.get(name), false));
  }

  text(name: string): string | undefined {
    const value = this.raw.get(name);
    if (value === undefined) return undefined;
    try {
      return decodeURIComponent(value.replaceAll("+", " "));
    } catch {
      throw new AppError("bad_request", `the "${name}" parameter is not valid percent-encoded UTF-8`);
    }
  }

  parsed<T>(name: string, schema: ZodType<T>): T {
    const result = schema.safeParse(this.text(name));
    if (!result.success) {
      throw new AppError("bad_request", `"${name}": ${result.error.issues[0]?.message ?? "invalid value"}`);
    }
    return result.data;
  }

  /** A revision parameter, exact or refused (see lib/params.ts); undefined when absent. */
  revision(name: string): number | undefined {
    return revisionOrThrow(name, this.text(name));
  }

  /**
   * A revision named as `revName` (a number) or as `atName` (an RFC 3339 time: the last revision at
   * or before it, which the archive knows); undefined when neither is given. The drop-in for
   * revision("rev") in every route that reads at a revision.
   */
  async revisionOrTime(revName = "rev", atName = "at"): Promise<number | undefined> {
    const revision = this.revision(revName);
    const time = timeOrThrow(atName, this.text(atName));
    if (time === undefined) return revision;
    if (revision !== undefined) throw new AppError("bad_request", `give "${revName}" or "${atName}", not both`);
    return this.resolveTime(atName, time);
  }

  /**
   * A parameter holding a revision or an RFC 3339 time (the diff's and the change feed's from/to),
   * resolved to a revision like revisionOrTime; undefined when absent.
   */
  async revisionOrTimeIn(name: string): Promise<number | undefined> {
    const given = revisionOrTimeOrThrow(name, this.text(name));
    if (given === undefined || "revision" in given) return given?.revision;
    return this.resolveTime(name, given.time);
  }

  /** The times given so far, by parameter name, with the revisions they stood for and whether by estimate. */
  readonly resolvedTimes = new Map<string, RevisionAtTime>();

  private async resolveTime(name: string, time: number): Promise<number> {
    const found = await findRevisionAtTime(archiveNameOf(this.clusterName()), time, name);
    this.resolvedTimes.set(name, found);
    return found.revision;
  }

  /** The `cluster` parameter: which configured cluster to read (the default when absent). */
  clusterName(): string | undefined {
    return this.text("cluster") || undefined;
  }

  cursor(name: string): Uint8Array | undefined {
    const value = this.text(name);
    return value ? base64UrlToBytes(value) : undefined;
  }
}
