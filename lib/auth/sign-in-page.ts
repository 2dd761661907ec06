import { signInLocation } from "@/lib/http/refuse-unauthenticated";

// The few pages of the sign-in trip that are not the provider's: a refused or stale sign-in and
// the signed-out page. Plain HTML with no script, so they show even when the app cannot.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function signInPage(status: number, title: string, message: string, next = "/"): Response {
  const again = signInLocation("", next);
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>etcdlens: ${escapeHtml(title)}</title></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>` +
    `<p><a href="${escapeHtml(again)}">Sign in again</a></p></main></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
