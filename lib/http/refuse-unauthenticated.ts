import { errorBody, statusOf } from "@/lib/api/errors";
import { AppError } from "@/lib/errors";

// The gate's answer to a request nobody is vouched for (lib/auth/authenticate.ts): the API's one
// error shape for /api, for a person with OpenID Connect a trip to sign in that comes back to the
// same URL, otherwise a short page saying why.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The sign-in route that returns to `pathAndQuery` (as the browser sent it) once signed in. */
export function signInLocation(origin: string, pathAndQuery: string): string {
  return `${origin}/auth/sign-in?next=${encodeURIComponent(pathAndQuery)}`;
}

export function refuseUnauthenticated(message: string, api: boolean): Response {
  const error = new AppError("unauthenticated", message);
  const headers = { "cache-control": "no-store" };
  if (api) return Response.json(errorBody(error), { status: statusOf(error), headers });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>etcdlens: not signed in</title></head><body><h1>Not signed in</h1><p>${escapeHtml(message)}</p></body></html>`;
  return new Response(page, { status: statusOf(error), headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}
