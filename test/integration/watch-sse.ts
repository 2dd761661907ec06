import { GET as watchRoute } from "@/app/api/watch/route";

// A minimal EventSource for tests: calls the /api/watch route handler with a real Request and
// parses the server-sent events from its body as a browser would.

export type SseEvent = { id?: string; event: string; data: string };

export class SseStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  private readonly queue: SseEvent[] = [];
  heartbeats = 0;
  /** The id of the last event seen, as EventSource keeps it for Last-Event-ID. */
  lastEventId: string | undefined;

  constructor(readonly response: Response) {
    if (!response.body) throw new Error("the watch response has no body");
    this.reader = response.body.getReader();
  }

  /** The next event (comments counted, not returned); throws after timeoutMs. */
  async next(timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("no server-sent event arrived in time");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), remaining)));
      // A read that outlives a timeout is kept for the next call: dropping it would lose its chunk.
      this.pendingRead ??= this.reader.read();
      const result = await Promise.race([this.pendingRead, timeout]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      this.pendingRead = null;
      if (result.done) throw new Error("the watch stream ended");
      this.buffer += this.decoder.decode(result.value, { stream: true });
      this.parse();
    }
    // Like EventSource, the last event ID is the last one dispatched: events read off the socket
    // but not yet handed out (several can arrive in one chunk) have not been seen.
    const event = this.queue.shift()!;
    if (event.id !== undefined) this.lastEventId = event.id;
    return event;
  }

  /** The next event of one of the given types, skipping others. */
  async nextOf(types: string[], timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (types.includes(event.event)) return event;
    }
  }

  /** `count` change events (type "message"), skipping reports (progress, the server's watch reconnecting or live). */
  async changes(count: number, timeoutMs = 10_000): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (events.length < count) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (event.event === "message") events.push(event);
      else if (!["progress", "reconnecting", "live"].includes(event.event))
        throw new Error(`unexpected ${event.event} event: ${event.data}`);
    }
    return events;
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end < 0) return;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id: string | undefined;
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) {
          this.heartbeats += 1;
          continue;
        }
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "id") id = value;
        else if (name === "event") event = value;
        else if (name === "data") data.push(value);
      }
      if (data.length > 0) this.queue.push({ id, event, data: data.join("\n") });
    }
  }
}

/** Opens GET /api/watch with the given query and headers. */
export async function openWatch(query: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const response = await watchRoute(new Request(`http://127.0.0.1/api/watch${query}`, { headers }));
  if (response.status !== 200) throw new Error(`watch answered ${response.status}: ${await response.text()}`);
  return new SseStream(response);
}
