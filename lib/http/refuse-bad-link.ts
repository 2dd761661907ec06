import { errorBody, statusOf } from "@/lib/api/errors";
import { AppError } from "@/lib/errors";

// A link whose path is not valid percent-encoding of UTF-8 (/keys/%ZZ, /keys/%, /keys/%E0%A4):
// Next decodes a route's path segments before any page or handler runs, and answers a bare 500
// when that fails. The proxy asks here first and answers 400 with a page that says what is wrong
// (the API's one error shape under /api).

const SHOWN_PATH_CHARS = 200;

function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The 400 answer for a path that cannot be decoded; undefined for every other path. */
export function refuseBadLink(pathname: string, api: boolean): Response | undefined {
  if (isDecodable(pathname)) return undefined;
  const shown = pathname.length > SHOWN_PATH_CHARS ? `${pathname.slice(0, SHOWN_PATH_CHARS)}…` : pathname;
  const error = new AppError(
    "bad_request",
    `bad link: the path ${shown} has a "%" that is not followed by two hex digits, or percent-escapes that are not UTF-8`,
  );
  const headers = { "cache-control": "no-store" };
  if (api) return Response.json(errorBody(error), { status: statusOf(error), headers });
  const page =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>etcdlens: bad link</title></head><body>` +
    `<h1>Bad link</h1><p>This address cannot be read: ${escapeHtml(shown)} has a "%" that is not followed by two hex digits, ` +
    `or percent-escapes that are not UTF-8. In etcdlens links, key bytes that are not UTF-8 are written as ~XX (for example ~ff).</p>` +
    `<p><a href="/keys">Open the key tree</a> and find the key there, or paste its name into the jump box.</p></body></html>`;
  return new Response(page, { status: statusOf(error), headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}
