import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GET as getHistory } from "@/app/api/history/route";
import { GET as getKey } from "@/app/api/key/route";
import { encodeKeyParam } from "@/lib/keys";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";
import { describeArchiveReads } from "./archive-reads-scenario";
import { callRoute } from "./support";

// History, the value at ?rev= and the diff past etcd's compaction, on the scale-out engine: a real
// PostgreSQL. While it is down the views answer from etcd alone and say so: a history that stops
// at etcd's compaction must not look complete, and a 410 says the archive may hold the revision.
let postgres: PostgresProcess;

describeArchiveReads("postgres", async () => {
  postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-reads-pg"), quiet: true });
  process.env.ETCDLENS_ARCHIVE_URL = postgres.url;
  return async () => {
    delete process.env.ETCDLENS_ARCHIVE_URL;
    await postgres.remove();
  };
});

describe("with PostgreSQL down", () => {
  it("answers from etcd alone and says the archive cannot be read; a revision only the archive holds is etcd's 410, saying so", async () => {
    const key = encodeKeyParam(Buffer.from("/ar/web"));
    const before = await callRoute(getHistory, `/api/history?key=${key}&limit=3`);
    expect(before.body.readFrom.source).toBe("etcd+archive");
    const archivedRevision = before.body.items[2].revision;
    await postgres.stop();
    try {
      const history = await callRoute(getHistory, `/api/history?key=${key}&limit=3`);
      expect(history.status, JSON.stringify(history.body)).toBe(200);
      expect(history.body.readFrom).toEqual({
        source: "etcd",
        archiveUnavailable: expect.stringContaining("the archive cannot be read now"),
      });
      expect(history.body.items.length).toBeLessThan(3);
      const current = await callRoute(getKey, `/api/key?key=${key}`);
      expect(current.status).toBe(200);
      expect(current.body.readFrom.archiveUnavailable).toContain("only what etcd still holds");
      const value = await callRoute(getKey, `/api/key?key=${key}&rev=${archivedRevision}`);
      expect(value.status).toBe(410);
      expect(value.body.error.message).toMatch(/oldest revision .*; the archive cannot be read now/);
      expect(value.body.error.archiveUnavailable).toContain("the archive cannot be read now");
      for (const body of [history.body, current.body, value.body])
        expect(JSON.stringify(body)).not.toMatch(/postgres:|127\.0\.0\.1|\/tmp\/|ECONNREFUSED/);
    } finally {
      await postgres.restart();
    }
  });
});
