import { describe, expect, it } from "vitest";
import { GET as getCluster } from "@/app/api/cluster/route";
import { GET as getHealth } from "@/app/api/healthz/route";
import { callRoute } from "./support";

// A dashboard started with a TLS file that does not exist must say so on every request, as a 502
// naming the variable and the path, and keep serving.

describe("a TLS file that cannot be read", () => {
  it("answers 502 naming ETCDCTL_CACERT and the path, and healthz stays up", async () => {
    process.env.ETCDCTL_ENDPOINTS = "https://127.0.0.1:1";
    process.env.ETCDCTL_CACERT = "/nonexistent/ca.crt";
    const { status, body } = await callRoute(getCluster, "/api/cluster");
    expect(status).toBe(502);
    expect(body.error.code).toBe("etcd_unavailable");
    expect(body.error.message).toContain("ETCDCTL_CACERT (/nonexistent/ca.crt)");
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);

    const health = await callRoute(getHealth, "/api/healthz");
    expect(health.status).toBe(200);
    expect(health.body.etcd.reachable).toBe(false);
    expect(health.body.etcd.error).toContain("/nonexistent/ca.crt");
  });
});
