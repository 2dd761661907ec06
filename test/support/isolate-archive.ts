import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

// Every integration test file gets an archive of its own in a temp folder: route handlers called
// in-process open the dashboard's archive (lib/archive/service.ts), which would otherwise be the
// repository's .etcdlens/ and carry one run's history into the next. A test that needs another
// archive (PostgreSQL, ETCDLENS_ARCHIVE=off) sets it before its first request.
const dataDir = mkdtempSync(join(tmpdir(), "etcdlens-test-archive-"));
process.env.ETCDLENS_DATA_DIR = dataDir;
delete process.env.ETCDLENS_ARCHIVE_URL;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
