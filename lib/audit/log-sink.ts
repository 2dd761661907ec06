import "server-only";
import { closeSync, fdatasync, fstatSync, openSync, statSync, writeSync } from "node:fs";

// Where audit lines are written: a file appended to, or stdout. A line is handed to the kernel
// before recordAudit returns (one write(2) on a file opened O_APPEND, a few microseconds), so it
// survives the process dying the next instant; fdatasync then follows in the background, one at a
// time for whatever was written meanwhile, so it survives the machine crashing too without the
// request waiting for the disk (npm run bench:audit measures both). A file that cannot be opened
// or written is said once in the server log and reported by status() until it works again; the
// file is opened again every few seconds meanwhile, and when log rotation moved it away.

export type LogSinkStatus =
  | { target: "off"; state: "off" }
  | { target: "stdout" | "file"; state: "writing" }
  /** `error` names the setting and the system's reason, never the path (it reaches the API). */
  | { target: "stdout" | "file"; state: "failing"; error: string; lost: number };

export interface LogSink {
  write(line: string): void;
  status(): LogSinkStatus;
  /** Resolves once everything written so far is synced to disk (or has failed to be). */
  flush(): Promise<void>;
  close(): void;
}

/** How long a file that cannot be opened is left alone before the next line tries again. */
const REOPEN_MS = 2_000;
/** How often the path is compared with the open file, to follow log rotation. */
const ROTATION_CHECK_MS = 1_000;

/** The system's reason without the path Node puts into the message ("ENOENT: no such file or directory"). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split(", ")[0];
  return String(error);
}

export class NoLogSink implements LogSink {
  write(): void {}
  status(): LogSinkStatus {
    return { target: "off", state: "off" };
  }
  async flush(): Promise<void> {}
  close(): void {}
}

export class FileLogSink implements LogSink {
  private fd: number | null = null;
  private failure: string | null = null;
  private lost = 0;
  private openedAt = 0;
  private checkedAt = 0;
  private syncing = false;
  private syncAgain = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly log: (message: string) => void,
  ) {
    this.open();
  }

  write(line: string): void {
    if (this.fd === null && (Date.now() - this.openedAt < REOPEN_MS || !this.open())) {
      this.lost += 1;
      return;
    }
    this.followRotation();
    const fd = this.fd!;
    try {
      const bytes = Buffer.from(line);
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
    } catch (error) {
      this.lost += 1;
      this.fail("cannot be written", error);
      this.closeFile();
      return;
    }
    this.recovered();
    this.sync();
  }

  status(): LogSinkStatus {
    if (this.failure === null) return { target: "file", state: "writing" };
    return { target: "file", state: "failing", error: `ETCDLENS_AUDIT_LOG ${this.failure}`, lost: this.lost };
  }

  flush(): Promise<void> {
    if (!this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closeFile();
  }

  private open(): boolean {
    this.openedAt = Date.now();
    try {
      this.fd = openSync(this.path, "a", 0o600);
      this.checkedAt = Date.now();
      return true;
    } catch (error) {
      this.fail("cannot be opened", error);
      return false;
    }
  }

  // logrotate (without copytruncate) renames the file and expects a new one to be started.
  private followRotation(): void {
    if (Date.now() - this.checkedAt < ROTATION_CHECK_MS) return;
    this.checkedAt = Date.now();
    try {
      const atPath = statSync(this.path, { throwIfNoEntry: false });
      const open = fstatSync(this.fd!);
      if (atPath && atPath.ino === open.ino && atPath.dev === open.dev) return;
    } catch {
      // Checked again in a second; the write below says whether the open file still works.
      return;
    }
    this.closeFile();
    this.open();
  }

  private sync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const fd = this.fd;
    if (fd === null) return;
    this.syncing = true;
    fdatasync(fd, (error) => {
      this.syncing = false;
      // A file closed meanwhile (rotated, failed) was synced by its close or is being replaced.
      if (error && fd === this.fd) this.fail("cannot be synced to disk", error);
      if (this.syncAgain) {
        this.syncAgain = false;
        this.sync();
      }
      if (!this.syncing) for (const resolve of this.waiters.splice(0)) resolve();
    });
  }

  private closeFile(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Closing a descriptor whose writes failed may fail too; it is given up either way.
    }
    this.fd = null;
  }

  private fail(what: string, error: unknown): void {
    const failure = `${what} (${reasonOf(error)})`;
    if (failure === this.failure) return;
    this.failure = failure;
    this.log(`etcdlens audit: ETCDLENS_AUDIT_LOG ${this.path} ${failure}: audit lines are not written to it until it works`);
  }

  private recovered(): void {
    if (this.failure === null) return;
    this.log(`etcdlens audit: ETCDLENS_AUDIT_LOG ${this.path} is written again (${this.lost} lines were lost)`);
    this.failure = null;
    this.lost = 0;
  }
}

export class StdoutLogSink implements LogSink {
  private failure: string | null = null;
  private lost = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly log: (message: string) => void,
  ) {
    // stdout closed by its reader (EPIPE): without a listener the error would end the process.
    stream.on("error", (error) => this.fail(error));
  }

  // On Linux, writes to stdout are synchronous for files, pipes and terminals alike.
  write(line: string): void {
    if (this.failure !== null) {
      this.lost += 1;
      return;
    }
    try {
      this.stream.write(line);
    } catch (error) {
      this.lost += 1;
      this.fail(error);
    }
  }

  status(): LogSinkStatus {
    if (this.failure === null) return { target: "stdout", state: "writing" };
    return { target: "stdout", state: "failing", error: `ETCDLENS_AUDIT_LOG (stdout) ${this.failure}`, lost: this.lost };
  }

  async flush(): Promise<void> {}

  close(): void {}

  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = `cannot be written (${reasonOf(error)})`;
    this.log(`etcdlens audit: stdout ${this.failure}: audit lines are not written to it`);
  }
}
