// The headers every response carries, and the Content-Security-Policy of pages. The dashboard shows
// what etcd holds, Secrets included: no other site may frame it, read it, or run script in it.

/** A fresh nonce for one page response: Next stamps it on its own inline bootstrap scripts. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The policy of an HTML page: scripts only from this server or carrying the response's nonce
 * ('strict-dynamic' lets those load the chunks they import), styles only from the CSS files Next
 * serves or carrying the nonce. No 'unsafe-inline' anywhere, not even for style attributes: the
 * pages render their data in the browser, so the server's HTML holds no style attribute, and the
 * style={{}} of the virtualised lists is applied by React through the CSSOM, which CSP does not
 * govern (e2e/ui/security-headers.spec.ts checks that no page reports a violation).
 */
export function pageContentSecurityPolicy(nonce: string, development = false): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code to rebuild server stacks; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // In development Next injects CSS as <style> elements without the nonce.
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The policy of everything that is not a page (JSON, downloads, event streams, assets). */
export const RESOURCE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** The headers every response carries besides its Content-Security-Policy. */
export const SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  // For browsers that predate frame-ancestors.
  { key: "x-frame-options", value: "DENY" },
  { key: "x-content-type-options", value: "nosniff" },
  // Key names are in every URL; they stay on this server.
  { key: "referrer-policy", value: "no-referrer" },
];

/** Sets the headers every response carries; `policy` is the Content-Security-Policy to send. */
export function setSecurityHeaders(headers: Headers, policy: string): void {
  headers.set("content-security-policy", policy);
  for (const { key, value } of SECURITY_HEADERS) headers.set(key, value);
}
