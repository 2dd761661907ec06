import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getHealth } from "@/app/api/healthz/route";
import { recordAudit } from "@/lib/audit";
import { scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, startTestEtcd } from "./support";

// An ETCDLENS_AUDIT_LOG that cannot be opened is visible where probes and people look: the health
// check and the audit page's answer say the log is failing and why, without the server's path.

let etcd: EtcdProcess;
const path = join(scratchDir(join(tmpdir(), "etcdlens-test"), "audit-unwritable"), "no-such-folder", "audit.log");

beforeAll(async () => {
  etcd = await startTestEtcd("audit-unwritable");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  process.env.ETCDLENS_AUDIT_LOG = path;
  return () => etcd.stop();
});

describe("an audit log that cannot be opened", () => {
  it("is failing in /api/healthz and /api/audit, with the reason and the lines lost, never the path", async () => {
    recordAudit({
      user: "anonymous",
      groups: [],
      via: "none",
      cluster: "default",
      key: Buffer.from("/k"),
      action: "reveal",
      outcome: "allowed",
    });
    const health = await callRoute(getHealth, "/api/healthz");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      ok: true,
      etcd: { reachable: true },
      audit: {
        log: {
          target: "file",
          state: "failing",
          error: "ETCDLENS_AUDIT_LOG cannot be opened (ENOENT: no such file or directory)",
          lost: 1,
        },
        archive: { state: "writing" },
      },
    });
    expect(JSON.stringify(health.body)).not.toContain(tmpdir());
    const audit = await callRoute(getAudit, "/api/audit");
    expect(audit.body.status.log).toEqual(health.body.audit.log);
  });
});
