import "server-only";

/** The scrape as Prometheus reads it: the registry's text, never cached. */
export function presentMetrics(scrape: { contentType: string; text: string }): Response {
  return new Response(scrape.text, { headers: { "content-type": scrape.contentType, "cache-control": "no-store" } });
}
