import { z } from "zod";
import type { Viewer } from "./viewer";

// The gate (proxy.ts) hands route handlers who is asking in this header, always overwriting what a
// client sent, like the raw query. Base64url JSON: names may be non-ASCII, header values may not.
export const VIEWER_HEADER = "x-etcdlens-viewer";

const ViewerSchema = z.object({
  user: z.string(),
  groups: z.array(z.string()),
  via: z.enum(["none", "oidc", "proxy", "token"]),
});

export function encodeViewer(viewer: Viewer): string {
  return Buffer.from(JSON.stringify(viewer), "utf8").toString("base64url");
}

/** The viewer the gate vouched for, or undefined when the header is missing or not one the gate wrote. */
export function decodeViewer(header: string | null): Viewer | undefined {
  if (!header) return undefined;
  try {
    const parsed = ViewerSchema.safeParse(JSON.parse(Buffer.from(header, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
