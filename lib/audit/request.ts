import "server-only";
import { peerAddressOf } from "@/lib/auth/authenticate";
import type { Viewer } from "@/lib/auth/viewer";
import { getPeerNonce } from "@/lib/env";
import type { AuditEntry } from "./entry";

/** Who an entry is about: the viewer, and the client's address when the server stamps peers (scripts/serve.mjs). */
export function auditSubjectOf(request: Request, viewer: Viewer): Pick<AuditEntry, "user" | "groups" | "via" | "remoteAddress"> {
  const remoteAddress = peerAddressOf(request.headers, getPeerNonce());
  return { user: viewer.user, groups: viewer.groups, via: viewer.via, ...(remoteAddress ? { remoteAddress } : {}) };
}
