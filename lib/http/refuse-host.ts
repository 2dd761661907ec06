import { errorBody, statusOf } from "@/lib/api/errors";
import { AppError } from "@/lib/errors";
import type { HostPolicy } from "./allowed-host";

// The answer to a request addressed to a name this server does not go by (see allowed-host.ts):
// the API's one error shape for /api, a short page for a person who typed the name.

function explainRefusal(hostHeader: string | null, policy: HostPolicy): string {
  const host = hostHeader ? `"${hostHeader}"` : "a request without a Host header";
  return (
    `etcdlens answers only to 127.0.0.1, localhost and [::1] on port ${policy.serverPort}, and to the names in ` +
    `ETCDLENS_ALLOWED_HOSTS; ${host} is not one of them. To reach it by that name, add it to ETCDLENS_ALLOWED_HOSTS.`
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function refuseHost(hostHeader: string | null, policy: HostPolicy, api: boolean): Response {
  const error = new AppError("forbidden", explainRefusal(hostHeader, policy));
  const headers = { "cache-control": "no-store" };
  if (api) return Response.json(errorBody(error), { status: statusOf(error), headers });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>etcdlens: unknown host name</title></head><body><h1>This address is not one etcdlens answers to</h1><p>${escapeHtml(error.message)}</p></body></html>`;
  return new Response(page, { status: statusOf(error), headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}

/** The answer while the door's own settings (PORT, HOST, ETCDLENS_ALLOWED_HOSTS) are invalid. */
export function refuseMisconfigured(message: string, api: boolean): Response {
  const error = new AppError("internal", `the server is misconfigured: ${message}`);
  const headers = { "cache-control": "no-store" };
  if (api) return Response.json(errorBody(error), { status: statusOf(error), headers });
  return new Response(`etcdlens: ${error.message}\n`, {
    status: statusOf(error),
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
}
