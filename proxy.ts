import { NextResponse, type NextRequest } from "next/server";
import { RAW_QUERY_HEADER } from "@/lib/api/raw-query";
import { refuseBadLink } from "@/lib/http/refuse-bad-link";

// Next re-encodes a request's query string before route handlers see it, turning percent-escapes
// that are not valid UTF-8 (%FF) into U+FFFD. Keys are bytes, so the API reads the query exactly
// as the client sent it: with skipProxyUrlNormalize the proxy sees the original URL and passes
// its query on in a header, always overwriting whatever a client put there.
export function proxy(request: NextRequest) {
  const badLink = refuseBadLink(request.nextUrl.pathname, request.nextUrl.pathname.startsWith("/api/"));
  if (badLink) return badLink;
  const headers = new Headers(request.headers);
  const queryStart = request.url.indexOf("?");
  headers.set(RAW_QUERY_HEADER, queryStart < 0 ? "" : request.url.slice(queryStart));
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: "/api/:path*" };
