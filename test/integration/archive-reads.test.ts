import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeArchiveReads } from "./archive-reads-scenario";

// History, the value at ?rev= and the diff past etcd's compaction, on the embedded engine: a real SQLite file.
describeArchiveReads("sqlite", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "etcdlens-archive-reads-"));
  process.env.ETCDLENS_DATA_DIR = dataDir;
  return async () => rmSync(dataDir, { recursive: true, force: true });
});
