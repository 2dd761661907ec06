import "server-only";
import type { WatchControlDto } from "@/lib/api/dto";
import { presentWatchEvent } from "@/lib/api/present-change";
import type { HubMessage } from "@/lib/etcd/watch-hub";

// Server-sent events as GET /api/watch writes them. Every event that moves the stream's position
// carries `id: <revision>`, so the browser's EventSource reconnects with Last-Event-ID and resumes
// after it; `progress`, `reconnecting` and `live` carry none: they are reports, not positions to
// resume from.

const encoder = new TextEncoder();

/** How long the browser waits before reconnecting after a dropped connection. */
const RETRY_MS = 2_000;

function frame(fields: { id?: number; event?: string; data: unknown }): string {
  const id = fields.id === undefined ? "" : `id: ${fields.id}\n`;
  const event = fields.event === undefined ? "" : `event: ${fields.event}\n`;
  return `${id}${event}data: ${JSON.stringify(fields.data)}\n\n`;
}

function control(dto: WatchControlDto, id?: number): string {
  const { event, ...data } = dto;
  return frame({ id, event, data });
}

/** One message as bytes; a revision's changes are one chunk, so they leave together. */
export function encodeMessage(message: HubMessage): Uint8Array {
  switch (message.kind) {
    case "ready":
      return encoder.encode(`retry: ${RETRY_MS}\n` + control({ event: "ready", revision: message.revision }, message.revision));
    case "changes":
      return encoder.encode(message.changes.map((change) => frame({ id: change.revision, data: presentWatchEvent(change) })).join(""));
    case "progress":
      return encoder.encode(control({ event: "progress", revision: message.revision }));
    case "compacted":
      return encoder.encode(
        control({ event: "compacted", compactRevision: message.compactRevision, revision: message.revision }, message.revision),
      );
    case "reset":
      return encoder.encode(control({ event: "reset", reason: message.reason, revision: message.revision }, message.revision));
    case "reconnecting":
      return encoder.encode(control({ event: "reconnecting", reason: message.reason, retryInMs: message.retryInMs }));
    case "live":
      return encoder.encode(control({ event: "live", revision: message.revision }));
    case "heartbeat":
      return encoder.encode(": heartbeat\n\n");
  }
}
