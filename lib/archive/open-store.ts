import "server-only";
import { ConfigurationError } from "@/lib/env";
import type { ArchiveStore } from "./store";

// Chooses the archive's engine: PostgreSQL when ETCDLENS_ARCHIVE_URL names a database (several
// replicas, many clusters), otherwise the SQLite file in the data directory (zero setup). Each
// engine is imported only when chosen, so a dashboard on PostgreSQL never loads SQLite's native
// module and the other way round.

export type ArchiveLocation = {
  /** ETCDLENS_ARCHIVE_URL: postgres://… or postgresql://…; the SQLite file when absent. */
  archiveUrl?: string;
  /** ETCDLENS_DATA_DIR, where the SQLite file lives. */
  dataDir: string;
};

const POSTGRES_PROTOCOLS = new Set(["postgres:", "postgresql:"]);

/** The engine's name for a location, checked without connecting. */
export function archiveEngineOf(location: ArchiveLocation): "sqlite" | "postgres" {
  if (!location.archiveUrl) return "sqlite";
  let protocol: string;
  try {
    protocol = new URL(location.archiveUrl).protocol;
  } catch {
    // The URL may hold a password: the message names the setting, never its value.
    throw new ConfigurationError("ETCDLENS_ARCHIVE_URL is not a URL; expected postgres://user@host:port/database");
  }
  if (!POSTGRES_PROTOCOLS.has(protocol)) {
    throw new ConfigurationError(`ETCDLENS_ARCHIVE_URL must be a postgres:// or postgresql:// URL, not ${protocol}//`);
  }
  return "postgres";
}

export async function openArchiveStore(location: ArchiveLocation): Promise<ArchiveStore> {
  if (archiveEngineOf(location) === "postgres") {
    const { openPostgresStore } = await import("./postgres-store");
    return openPostgresStore(location.archiveUrl!);
  }
  const { openSqliteStore } = await import("./sqlite-store");
  return openSqliteStore(location.dataDir);
}
