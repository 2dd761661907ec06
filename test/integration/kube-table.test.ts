import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Etcd3 } from "etcd3";
import { GET as getTable } from "@/app/api/table/route";
import { encodeKubernetesObject, type JsonObject } from "@/lib/decode";
import { readLevelValues } from "@/lib/etcd/level-values";
import { formatCell } from "@/lib/kube-table/cells";
import { encodeKeyParam } from "@/lib/keys";
import type { TableDto } from "@/lib/api/dto";
import type { EtcdProcess } from "@/scripts/lib/etcd-process";
import { callRoute, connectionTo, seedingClient, startTestEtcd } from "./support";

// GET /api/table against a real etcd: a folder's page decoded into kubectl's rows, at a past
// revision as it was then, Secrets as counts only, and no table claimed for a mixed folder.

let etcd: EtcdProcess;
let writer: Etcd3;

const T0 = Date.parse("2026-11-20T09:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const q = (text: string) => encodeKeyParam(Buffer.from(text));

function pod(name: string, phase: "Pending" | "Running", minutes: number, restarts = 0): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "tbl",
      uid: `uid-${name}`,
      creationTimestamp: at(0),
      managedFields: [{ manager: "kubelet", operation: "Update", apiVersion: "v1", time: at(minutes) }],
    },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }], nodeName: phase === "Running" ? "node-1" : "" },
    status: {
      phase,
      ...(phase === "Running"
        ? {
            podIP: "10.244.1.7",
            podIPs: [{ ip: "10.244.1.7" }],
            conditions: [{ type: "Ready", status: "True", lastTransitionTime: at(minutes) }],
            containerStatuses: [
              {
                name: "web",
                ready: true,
                restartCount: restarts,
                image: "nginx:1.27",
                imageID: "",
                state: { running: { startedAt: at(minutes) } },
              },
            ],
          }
        : {}),
    },
  };
}

async function table(path: string): Promise<{ status: number; body: TableDto }> {
  // Right after start the folder index may still be building: the answer says so; ask again.
  for (let attempt = 0; ; attempt++) {
    const answer = await callRoute(getTable, path);
    if (!answer.body?.indexing || attempt > 50) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const texts = (body: TableDto, reference = body.clock.at!) =>
  body.rows.map((row) => [row.name, ...row.cells.map((cell) => formatCell(cell, reference))]);

beforeAll(async () => {
  etcd = await startTestEtcd("kube-table");
  process.env.ETCDCTL_ENDPOINTS = etcd.endpoint;
  writer = seedingClient(etcd);
});

afterAll(async () => {
  writer?.close();
  await etcd?.stop();
});

describe("GET /api/table", () => {
  it("a page of Pods at a past revision gives that revision's rows, aged from that revision's newest stamp", async () => {
    for (const name of ["web-a", "web-b", "web-c"])
      await writer.put(`/registry/pods/tbl/${name}`).value(Buffer.from(encodeKubernetesObject(pod(name, "Pending", 1))));
    const pending = Number((await writer.put("/registry/pods-marker").value("x").exec()).header.revision);
    for (const name of ["web-a", "web-b", "web-c"])
      await writer.put(`/registry/pods/tbl/${name}`).value(Buffer.from(encodeKubernetesObject(pod(name, "Running", 90, 2))));

    const past = await table(`/api/table?prefix=${q("/registry/pods/tbl/")}&rev=${pending}`);
    expect(past.status).toBe(200);
    expect(past.body.resource).toEqual({ group: "", kind: "Pod", apiVersions: ["v1"] });
    expect(past.body.columns).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]);
    expect(past.body.revision).toBe(pending);
    expect(past.body.clock).toEqual({ basis: "newest-timestamp", at: T0 + 60_000 });
    expect(texts(past.body)).toEqual(["web-a", "web-b", "web-c"].map((name) => [name, "0/1", "Pending", "0", "60s", "<none>", "<none>"]));

    const now = await table(`/api/table?prefix=${q("/registry/pods/tbl/")}`);
    expect(now.body.clock.basis).toBe("now");
    expect(Math.abs(now.body.clock.at! - Date.now())).toBeLessThan(60_000);
    expect(texts(now.body, T0 + 120 * 60_000)).toEqual(
      ["web-a", "web-b", "web-c"].map((name) => [name, "1/1", "Running", "2", "120m", "10.244.1.7", "node-1"]),
    );

    // Pages of the folder, each decoding only its own rows.
    const first = await table(`/api/table?prefix=${q("/registry/pods/tbl/")}&rev=${pending}&limit=2`);
    expect(first.body.rows.map((row) => row.name)).toEqual(["web-a", "web-b"]);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await table(`/api/table?prefix=${q("/registry/pods/tbl/")}&rev=${pending}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.rows.map((row) => row.name)).toEqual(["web-c"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("a Secrets table has types and counts and none of the values", async () => {
    const values = ["s3cr3t-password-value", "token-abcdef-0123456789"];
    const secret = (name: string, data: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name,
        namespace: "tbl",
        creationTimestamp: at(0),
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ apiVersion: "v1", kind: "Secret", data }) },
      },
      type: "kubernetes.io/basic-auth",
      data,
    });
    await writer
      .put("/registry/secrets/tbl/db")
      .value(
        Buffer.from(
          encodeKubernetesObject(
            secret("db", { password: Buffer.from(values[0]).toString("base64"), user: Buffer.from("shop").toString("base64") }),
          ),
        ),
      );
    await writer
      .put("/registry/secrets/tbl/token")
      .value(JSON.stringify(secret("token", { token: Buffer.from(values[1]).toString("base64") })));
    const { status, body } = await table(`/api/table?prefix=${q("/registry/secrets/tbl/")}`);
    expect(status).toBe(200);
    expect(body.columns).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(texts(body, T0).map((row) => row.slice(0, 3))).toEqual([
      ["db", "kubernetes.io/basic-auth", "2"],
      ["token", "kubernetes.io/basic-auth", "1"],
    ]);
    const text = JSON.stringify(body);
    for (const value of values) {
      for (const form of [value, Buffer.from(value).toString("base64"), Buffer.from(value).toString("hex")])
        expect(text).not.toContain(form);
    }
  });

  it("a folder mixing kinds, plain values and sub-folders claims no single kind", async () => {
    await writer.put("/mixed/pod").value(Buffer.from(encodeKubernetesObject(pod("p", "Running", 3))));
    await writer
      .put("/mixed/config")
      .value(Buffer.from(encodeKubernetesObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "config" }, data: { a: "1" } })));
    await writer.put("/mixed/note").value("plain text");
    await writer.put("/mixed/sub/inner").value("x");
    const { status, body } = await table(`/api/table?prefix=${q("/mixed/")}`);
    expect(status).toBe(200);
    expect(body.resource).toBeNull();
    expect(body.rows).toEqual([]);
    expect(body.found).toEqual(
      expect.arrayContaining([
        { what: "Pod", count: 1 },
        { what: "ConfigMap", count: 1 },
        { what: "text", count: 1 },
        { what: "folder", count: 1 },
      ]),
    );
  });

  it("answers a prefix that is not a folder, and a future revision, with a clear 400", async () => {
    const notFolder = await callRoute(getTable, `/api/table?prefix=${q("/registry/pods/tbl")}`);
    expect(notFolder.status).toBe(400);
    expect(notFolder.body.error.message).toMatch(/ends with "\/"/);
    const future = await callRoute(getTable, `/api/table?prefix=${q("/registry/pods/tbl/")}&rev=99999999`);
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe("future_revision");
  });

  it("reads a page of large values in several reads, none asking for much more than 2 MiB", async () => {
    const big = "x".repeat(700 * 1024);
    for (let i = 0; i < 12; i++) {
      await writer
        .put(`/registry/configmaps/big/cm-${String(i).padStart(2, "0")}`)
        .value(Buffer.from(encodeKubernetesObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` }, data: { big } })));
    }
    const connection = connectionTo(etcd);
    const page = await readLevelValues(connection, {
      prefix: Buffer.from("/registry/configmaps/big/"),
      limit: 200,
      revision: Number((await writer.get("/registry/pods-marker").exec()).header.revision),
    });
    expect(page.entries).toHaveLength(12);
    expect(page.entries.every((entry) => entry.kv && entry.kv.value.length > 700 * 1024)).toBe(true);
    // 8.4 MB of values: at most three 700 KB values per read after the first two.
    expect(page.reads).toBeGreaterThanOrEqual(5);
    connection.client.close();
  });
});
