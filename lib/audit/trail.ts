import "server-only";
import type { ArchiveStore } from "@/lib/archive/store";
import type { AuditSettings } from "@/lib/env";
import { ArchiveSink, type ArchiveSinkStatus } from "./archive-sink";
import { auditRowOf, formatAuditLine, type AuditEntry } from "./entry";
import { FileLogSink, NoLogSink, StdoutLogSink, type LogSink, type LogSinkStatus } from "./log-sink";

// The audit trail of one process: every entry goes to the log (ETCDLENS_AUDIT_LOG) at once and to
// the archive soon after. recordAudit's callers are in the middle of answering a request, so
// nothing here throws at them: what fails is said in the server log and in status().

export type AuditTrailStatus = { log: LogSinkStatus; archive: ArchiveSinkStatus };

export type AuditTrailOptions = {
  /** The archive to keep entries in, or null when it is off. */
  archive: () => Promise<ArchiveStore | null>;
  describeArchiveError: (error: unknown) => string;
  log?: (message: string) => void;
  stdout?: NodeJS.WriteStream;
};

export class AuditTrail {
  private readonly sink: LogSink;
  private readonly archive: ArchiveSink;
  private readonly log: (message: string) => void;
  private unexpected = false;

  constructor(settings: AuditSettings, options: AuditTrailOptions) {
    this.log = options.log ?? ((message) => console.error(message));
    this.sink =
      settings.target === "file"
        ? new FileLogSink(settings.path, this.log)
        : settings.target === "stdout"
          ? new StdoutLogSink(options.stdout, this.log)
          : new NoLogSink();
    this.archive = new ArchiveSink(options.archive, options.describeArchiveError, this.log);
  }

  record(entry: AuditEntry): void {
    try {
      const row = auditRowOf(entry);
      this.sink.write(formatAuditLine(row));
      this.archive.add(row);
    } catch (error) {
      // A bug, not an I/O failure (those the sinks handle): said once, never thrown at the request.
      if (!this.unexpected)
        this.log(`etcdlens audit: an entry could not be recorded: ${error instanceof Error ? error.message : String(error)}`);
      this.unexpected = true;
    }
  }

  status(): AuditTrailStatus {
    return { log: this.sink.status(), archive: this.archive.status() };
  }

  /** Resolves once every entry so far is synced to the file and stored in the archive (or failed to be). */
  async flush(): Promise<void> {
    await Promise.all([this.sink.flush(), this.archive.flush()]);
  }

  close(): void {
    this.sink.close();
    this.archive.close();
  }
}
