import { tmpdir } from "node:os";
import { join } from "node:path";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres } from "@/scripts/lib/postgres-process";
import { describeArchiveReads } from "./archive-reads-scenario";

// History, the value at ?rev= and the diff past etcd's compaction, on the scale-out engine: a real PostgreSQL.
describeArchiveReads("postgres", async () => {
  const postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "archive-reads-pg"), quiet: true });
  process.env.ETCDLENS_ARCHIVE_URL = postgres.url;
  return async () => {
    delete process.env.ETCDLENS_ARCHIVE_URL;
    await postgres.remove();
  };
});
