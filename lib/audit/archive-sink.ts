import "server-only";
import { AUDIT_INSERT_BATCH } from "@/lib/archive/audit-sql";
import type { ArchiveStore, AuditRow } from "@/lib/archive/store";

// The audit trail's copy in the archive, which the /audit page reads. Entries are queued and
// stored after the request has been answered, a batch per statement; while the archive cannot
// take them (PostgreSQL restarting) they wait, up to MAX_PENDING, and the oldest are dropped
// beyond that (the log line of each is written already). Nothing is kept when the archive is off.

export type ArchiveSinkStatus =
  { state: "off" } | { state: "writing"; pending: number } | { state: "failing"; error: string; pending: number; lost: number };

/** Entries held while the archive cannot take them. */
export const MAX_PENDING = 10_000;
const RETRY_MS = 2_000;

export class ArchiveSink {
  private queue: AuditRow[] = [];
  private draining = false;
  private retry: NodeJS.Timeout | undefined;
  private off = false;
  private failure: string | null = null;
  private lost = 0;
  /** Entries dropped for space since start: those of a batch in flight came off its front. */
  private dropped = 0;
  private waiters: (() => void)[] = [];

  constructor(
    /** The archive, or null when it is off. */
    private readonly openStore: () => Promise<ArchiveStore | null>,
    private readonly describeError: (error: unknown) => string,
    private readonly log: (message: string) => void,
  ) {
    // Whether the archive is off is known before the first entry, so the status says "off" from the start.
    openStore().then(
      (store) => {
        if (!store) this.turnOff();
      },
      () => undefined,
    );
  }

  add(row: AuditRow): void {
    if (this.off) return;
    if (this.queue.length >= MAX_PENDING) {
      this.queue.shift();
      this.lost += 1;
      this.dropped += 1;
    }
    this.queue.push(row);
    this.kick();
  }

  status(): ArchiveSinkStatus {
    if (this.off) return { state: "off" };
    if (this.failure !== null) return { state: "failing", error: this.failure, pending: this.queue.length, lost: this.lost };
    return { state: "writing", pending: this.queue.length };
  }

  /** Resolves once the queue is stored, or storing it has failed (it is tried again later). */
  flush(): Promise<void> {
    if (this.off || (!this.draining && (this.queue.length === 0 || this.retry))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.turnOff();
  }

  /** Entries already queued are dropped too, and whoever waits for them is let go. */
  private turnOff(): void {
    this.off = true;
    this.queue = [];
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private kick(): void {
    if (this.draining || this.retry) return;
    this.draining = true;
    // After the current request's answer: better-sqlite3 writes synchronously.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.off) {
        const store = await this.openStore();
        if (!store) {
          this.turnOff();
          break;
        }
        const batch = this.queue.slice(0, AUDIT_INSERT_BATCH);
        const droppedBefore = this.dropped;
        await store.appendAudit(batch);
        this.queue.splice(0, Math.max(0, batch.length - (this.dropped - droppedBefore)));
        if (this.failure !== null) {
          this.log(`etcdlens audit: the archive takes audit entries again (${this.lost} were lost)`);
          this.failure = null;
          this.lost = 0;
        }
      }
    } catch (error) {
      const failure = `the archive does not take audit entries: ${this.describeError(error)}`;
      if (failure !== this.failure) this.log(`etcdlens audit: ${failure}; they wait (${this.queue.length} now) and are tried again`);
      this.failure = failure;
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.kick();
      }, RETRY_MS);
      this.retry.unref();
    } finally {
      this.draining = false;
      for (const resolve of this.waiters.splice(0)) resolve();
    }
  }
}
