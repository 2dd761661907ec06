import { describe, expect, it } from "vitest";
import { ConfigurationError } from "@/lib/env";
import { archiveEngineOf, openArchiveStore } from "./open-store";

describe("archiveEngineOf", () => {
  it("keeps the archive in the SQLite file unless ETCDLENS_ARCHIVE_URL is set", () => {
    expect(archiveEngineOf({ dataDir: "/data" })).toBe("sqlite");
    expect(archiveEngineOf({ dataDir: "/data", archiveUrl: "" })).toBe("sqlite");
  });

  it("chooses PostgreSQL for both spellings of its URL scheme", () => {
    expect(archiveEngineOf({ dataDir: "/data", archiveUrl: "postgres://etcdlens:secret@db.internal:5432/archive" })).toBe("postgres");
    expect(archiveEngineOf({ dataDir: "/data", archiveUrl: "postgresql://db.internal/archive?sslmode=require" })).toBe("postgres");
  });

  it("names the setting, never the URL with its password, when the URL is not PostgreSQL's", () => {
    for (const archiveUrl of ["mysql://root:hunter2@db/archive", "hunter2@db:5432/archive"]) {
      let caught: unknown;
      try {
        archiveEngineOf({ dataDir: "/data", archiveUrl });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      expect((caught as Error).message).toMatch(/^ETCDLENS_ARCHIVE_URL /);
      expect((caught as Error).message).not.toContain("hunter2");
    }
  });

  it("refuses a wrong URL before connecting anywhere", async () => {
    await expect(openArchiveStore({ dataDir: "/nonexistent", archiveUrl: "redis://cache:6379" })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});
