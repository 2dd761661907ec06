// Next calls register() once when the server starts: the folder index starts building then, and
// the archive's recorders start recording (from the server's first second, not its first visit).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // A server that would show etcd to its network with nobody signed in, or whose sign-in settings
  // are wrong (a metrics token too short included), does not start: refusing every request later
  // would look like an outage instead.
  const { ConfigurationError, getAuthSettings, getMetricsSettings } = await import("./lib/env");
  try {
    getAuthSettings();
    getMetricsSettings();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`etcdlens: not starting: ${error.message}`);
    process.exit(78);
  }
  // Likewise an encryption configuration that does not load: every encrypted value would say so.
  const { loadAtRestKeys } = await import("./lib/encryption/load-config");
  const encryptionProblem = loadAtRestKeys();
  if (encryptionProblem) {
    console.error(`etcdlens: not starting: ${encryptionProblem}`);
    process.exit(78);
  }
  // The folder index is kept in the archive: a restart loads it and catches up instead of reading every key.
  const { keepFolderIndexesInArchive } = await import("./lib/archive/folder-index-store");
  keepFolderIndexesInArchive();
  const { saveFolderIndexes } = await import("./lib/etcd/folder-index/folder-index");
  const { warmUpFolderIndex } = await import("./lib/etcd/folder-index/warm-up");
  warmUpFolderIndex();
  const { startArchiveRecorders, stopArchiveRecorders } = await import("./lib/archive/service");
  // Never throws: an archive that cannot open is one log line and a "failing" state in /api/cluster.
  startArchiveRecorders();
  // ETCDLENS_AUDIT_LOG is opened now, so that a file that cannot be opened is said at the start
  // (one log line, and "failing" in /api/healthz), not at the first reveal.
  const { flushAuditTrail, openAuditTrail } = await import("./lib/audit");
  openAuditTrail();
  // A stopped server gives its recorder lock up at once, so another replica takes over without
  // waiting out the lock's TTL. Next's own handler exits once its server has closed.
  const stop = (signal: NodeJS.Signals) => {
    // The folder index is saved and the audit trail's last entries stored too, but a slow archive
    // must not hold the exit up for long.
    const saved = Promise.race([
      Promise.all([saveFolderIndexes(), flushAuditTrail()]),
      new Promise((resolve) => setTimeout(resolve, 3_000).unref()),
    ]);
    void Promise.all([stopArchiveRecorders(), saved]).finally(() => {
      // No other handler (NEXT_MANUAL_SIG_HANDLE without one of its own): exit as the signal would.
      if (process.listenerCount(signal) === 0) process.exit(signal === "SIGINT" ? 130 : 143);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
