import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "@/lib/archive/postgres-store";
import { openSqliteStore } from "@/lib/archive/sqlite-store";
import type { ArchiveStore, AuditRow, StoredAuditRow } from "@/lib/archive/store";
import { AuditTrail } from "@/lib/audit/trail";
import { describeArchiveError } from "@/lib/archive/service";
import { scratchDir } from "@/scripts/lib/etcd-process";
import { startPostgres, type PostgresProcess } from "@/scripts/lib/postgres-process";

// The audit table in both engines, with one scenario: entries come back exactly as stored (bytes
// that are not UTF-8, empty and absent fields), newest first, paged by `before` without overlap or
// loss, filtered by user, action and outcome, alone and together. Then the trail's way into the
// archive: asynchronous, and on PostgreSQL stopped it waits, says it fails, and stores everything
// once PostgreSQL is back.

const row = (index: number): AuditRow => ({
  time: 1_780_000_000_000 + index * 1_000,
  user: ["alice", "bob", "carol"][index % 3],
  groups: index % 2 ? ["dev", "ops"] : [],
  via: index % 2 ? "oidc" : "token",
  cluster: index % 4 === 0 ? null : "default",
  key: index % 5 === 0 ? null : Buffer.concat([Buffer.from(`/registry/secrets/ns/s${index}: é `), Buffer.from([0xff, 0x00])]),
  prefix: index % 5 === 0 ? Buffer.from("/registry/secrets/") : null,
  revision: index % 5 === 0 ? null : 9_007_199_254_000 + index,
  field: index % 3 === 0 ? ["data", "tls.key"] : null,
  action: ["reveal", "export", "denied", "sign-in"][index % 4],
  outcome: index % 4 === 2 ? "denied" : "allowed",
  reason: index % 4 === 2 ? `no rule gives "read" on entry ${index}` : null,
  remoteAddress: index % 2 ? "2001:db8::7" : null,
});

const ROWS = Array.from({ length: 25 }, (_, index) => row(index));

const withoutId = ({ id: _id, ...rest }: StoredAuditRow): AuditRow => rest;

async function pages(store: ArchiveStore, query: { limit: number; user?: string; action?: string; outcome?: string }) {
  const seen: StoredAuditRow[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.listAudit({ ...query, before });
    seen.push(page);
    if (page.length < query.limit) return seen;
    before = page[page.length - 1].id;
  }
}

function describeAuditTable(engine: string, open: () => Promise<{ store: ArchiveStore; cleanup: () => Promise<void> }>) {
  describe(`the audit table (${engine})`, () => {
    let store: ArchiveStore;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      // Two statements' worth, so the batching shows.
      await store.appendAudit(ROWS.slice(0, 10));
      await store.appendAudit(ROWS.slice(10));
    });

    afterAll(async () => {
      await cleanup?.();
    });

    it("gives entries back exactly as stored, newest first", async () => {
      const all = await store.listAudit({ limit: 100 });
      expect(all.map(withoutId)).toEqual([...ROWS].reverse());
      const ids = all.map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(all[0].key).toEqual(Buffer.concat([Buffer.from("/registry/secrets/ns/s24: é "), Buffer.from([0xff, 0x00])]));
    });

    it("pages by `before` without overlap or loss", async () => {
      const seen = await pages(store, { limit: 10 });
      expect(seen.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(seen.flat().map(withoutId)).toEqual([...ROWS].reverse());
    });

    it("filters by user, action and outcome, alone and together, and pages the filtered list", async () => {
      const expectFiltered = async (query: { user?: string; action?: string; outcome?: string }) => {
        const expected = [...ROWS]
          .reverse()
          .filter(
            (entry) =>
              (query.user === undefined || entry.user === query.user) &&
              (query.action === undefined || entry.action === query.action) &&
              (query.outcome === undefined || entry.outcome === query.outcome),
          );
        expect(expected.length).toBeGreaterThan(0);
        expect((await pages(store, { ...query, limit: 3 })).flat().map(withoutId)).toEqual(expected);
      };
      await expectFiltered({ user: "bob" });
      await expectFiltered({ action: "reveal" });
      await expectFiltered({ outcome: "denied" });
      await expectFiltered({ user: "carol", action: "denied", outcome: "denied" });
      expect(await store.listAudit({ limit: 10, user: "nobody" })).toEqual([]);
      // A filter is a value, never SQL.
      expect(await store.listAudit({ limit: 10, user: "' OR '1'='1" })).toEqual([]);
    });
  });
}

describeAuditTable("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "etcdlens-test-audit-sqlite-"));
  const store = openSqliteStore(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let postgres: PostgresProcess;

describeAuditTable("postgres", async () => {
  postgres = await startPostgres({ rootDir: scratchDir(join(tmpdir(), "etcdlens-test"), "audit-pg"), quiet: true });
  const store = await openPostgresStore(postgres.url);
  return {
    store,
    cleanup: () => store.close(),
  };
});

afterAll(async () => {
  await postgres?.remove();
});

describe("the trail's way into the archive", () => {
  it("says the archive is off from the start when it is, and keeps nothing", async () => {
    const trail = new AuditTrail({ target: "off" }, { archive: async () => null, describeArchiveError });
    await new Promise((resolve) => setImmediate(resolve));
    expect(trail.status().archive).toEqual({ state: "off" });
    trail.record({ user: "x", groups: [], via: "none", action: "reveal", outcome: "allowed" });
    expect(trail.status().archive).toEqual({ state: "off" });
    trail.close();
  });

  it("stores entries after the call returns, and on PostgreSQL waits while it is down, says so, and stores them all once it is back", async () => {
    const store = await openPostgresStore(postgres.url);
    const said: string[] = [];
    const trail = new AuditTrail({ target: "off" }, { archive: async () => store, describeArchiveError, log: (line) => said.push(line) });
    const entry = (index: number) => ({
      user: "erin",
      groups: ["sre"],
      via: "proxy" as const,
      cluster: "default",
      key: Buffer.from(`/registry/secrets/outage/s${index}`),
      action: "reveal" as const,
      outcome: "allowed" as const,
    });
    try {
      trail.record(entry(0));
      // Nothing is stored before the caller has gone on.
      expect(trail.status().archive).toEqual({ state: "writing", pending: 1 });
      await trail.flush();
      expect((await store.listAudit({ limit: 10, user: "erin" })).map((stored) => stored.key?.toString())).toEqual([
        "/registry/secrets/outage/s0",
      ]);

      await postgres.stop();
      trail.record(entry(1));
      trail.record(entry(2));
      await trail.flush();
      const failing = trail.status().archive;
      expect(failing).toMatchObject({ state: "failing", pending: 2, lost: 0 });
      expect(JSON.stringify(failing)).not.toMatch(/postgres:\/\/|\/tmp\//);
      expect(said).toHaveLength(1);

      await postgres.restart();
      trail.record(entry(3));
      const deadline = Date.now() + 20_000;
      while (trail.status().archive.state !== "writing" || (trail.status().archive as { pending: number }).pending > 0) {
        if (Date.now() > deadline) throw new Error(`not stored again: ${JSON.stringify(trail.status().archive)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect((await store.listAudit({ limit: 10, user: "erin" })).map((stored) => stored.key?.toString())).toEqual([
        "/registry/secrets/outage/s3",
        "/registry/secrets/outage/s2",
        "/registry/secrets/outage/s1",
        "/registry/secrets/outage/s0",
      ]);
      expect(said[said.length - 1]).toContain("takes audit entries again (0 were lost)");
    } finally {
      trail.close();
      await store.close();
    }
  });
});
