import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Etcd3 } from "etcd3";
import { parseServerSettings } from "@/lib/env";
import { callEtcd } from "@/lib/etcd/call";
import { connectCluster } from "@/lib/etcd/client";
import { getClusterHeader } from "@/lib/etcd/cluster";
import { getFolderIndex } from "@/lib/etcd/folder-index/folder-index";
import { readKeyAtOrThrow } from "@/lib/etcd/read-key";
import { AppError } from "@/lib/errors";
import { statusOf } from "@/lib/api/errors";
import { findFreePort, scratchDir, type EtcdProcess } from "@/scripts/lib/etcd-process";
import { startTestEtcd, settingsFor } from "./support";
import { makeTestPki, type TestPki } from "./tls";

// Connecting the way etcdctl does: TLS with client certificates, password auth, both together,
// several endpoints, and the failures an operator will meet.

async function enableAuth(client: Etcd3, password: string) {
  await client.role("root").create();
  await client.user("root").create(password);
  await client.user("root").addRole("root");
  await client.auth.authEnable({});
}

async function readThrough(settings: ReturnType<typeof settingsFor>, key: string) {
  const connection = connectCluster(settings);
  try {
    return await callEtcd(connection, () => readKeyAtOrThrow(connection, Buffer.from(key)));
  } finally {
    connection.client.close();
  }
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

let pki: TestPki;
let tlsEtcd: EtcdProcess;
let authEtcd: EtcdProcess;
// Auth tokens that expire after one idle second, as they do after five idle minutes by default.
let shortTokenEtcd: EtcdProcess;

beforeAll(async () => {
  pki = makeTestPki(scratchDir(join(tmpdir(), "etcdlens-test"), "pki"));
  [tlsEtcd, authEtcd, shortTokenEtcd] = await Promise.all([
    startTestEtcd("tls", { tls: pki.server }),
    startTestEtcd("auth"),
    startTestEtcd("short-token", { extraArgs: ["--auth-token-ttl", "1"] }),
  ]);
  const tlsWriter = new Etcd3({
    hosts: tlsEtcd.endpoint,
    credentials: {
      rootCertificate: readFileSync(pki.client.caFile),
      certChain: readFileSync(pki.client.certFile),
      privateKey: readFileSync(pki.client.keyFile),
    },
  });
  await tlsWriter.put("/secure/hello").value("over tls");
  await enableAuth(tlsWriter, "tls-secret");
  tlsWriter.close();

  const shortTokenWriter = new Etcd3({ hosts: shortTokenEtcd.endpoint });
  await shortTokenWriter.put("/short/hello").value("v");
  await enableAuth(shortTokenWriter, "short");
  shortTokenWriter.close();

  const authWriter = new Etcd3({ hosts: authEtcd.endpoint });
  await authWriter.put("/auth/hello").value("with password");
  await enableAuth(authWriter, "s3cret:with:colons");
  authWriter.close();
});

afterAll(async () => {
  await Promise.all([tlsEtcd?.stop(), authEtcd?.stop(), shortTokenEtcd?.stop()]);
});

describe("settings from the etcdctl environment variables", () => {
  it("reads endpoints, TLS files and user:password like etcdctl", () => {
    const settings = parseServerSettings({
      ETCDCTL_ENDPOINTS: "https://10.0.0.1:2379, https://10.0.0.2:2379",
      ETCDCTL_CACERT: "/ca.crt",
      ETCDCTL_CERT: "/c.crt",
      ETCDCTL_KEY: "/c.key",
      ETCDCTL_USER: "root:pa:ss",
    });
    expect(settings.cluster).toMatchObject({
      endpoints: ["https://10.0.0.1:2379", "https://10.0.0.2:2379"],
      caFile: "/ca.crt",
      username: "root",
      password: "pa:ss",
    });
    expect(parseServerSettings({ ETCDCTL_USER: "root", ETCDCTL_PASSWORD: "x:y" }).cluster).toMatchObject({
      username: "root",
      password: "x:y",
    });
    expect(() => parseServerSettings({ ETCDCTL_CERT: "/c.crt" })).toThrow(/ETCDCTL_CERT and ETCDCTL_KEY/);
  });
});

describe("TLS and password auth against a real etcd", () => {
  it("reads over TLS with a client certificate and password auth together", async () => {
    const read = await readThrough(settingsFor(tlsEtcd, { ...pki.client, username: "root", password: "tls-secret" }), "/secure/hello");
    expect(read.kv.value.toString()).toBe("over tls");
  });

  it("reads raw key pages and builds the folder index over TLS with password auth", async () => {
    const connection = connectCluster(settingsFor(tlsEtcd, { ...pki.client, username: "root", password: "tls-secret" }));
    try {
      const page = await connection.client.rangeKeys({ key: Buffer.from("/"), range_end: Buffer.from("0"), limit: 10 }, Date.now() + 5_000);
      expect(page).toMatchObject({ keys: ["/secure/hello"], more: false, count: 1 });
      const index = getFolderIndex(connection);
      await index.rebuild();
      expect(index.status()).toMatchObject({ state: "ready", folders: 3, keys: 1 });
      index.stop();
    } finally {
      connection.client.close();
    }
  });

  it("reads raw key pages again after the auth token expired", async () => {
    const connection = connectCluster(settingsFor(shortTokenEtcd, { username: "root", password: "short" }));
    const readKeys = () =>
      connection.client.rangeKeys({ key: Buffer.from("/"), range_end: Buffer.from("0"), limit: 10 }, Date.now() + 5_000);
    try {
      expect((await readKeys()).keys).toEqual(["/short/hello"]);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await readKeys()).keys).toEqual(["/short/hello"]);
    } finally {
      connection.client.close();
    }
  });

  it("reads with password auth alone, the password containing colons", async () => {
    const settings = parseServerSettings({ ETCDCTL_ENDPOINTS: authEtcd.endpoint, ETCDCTL_USER: "root:s3cret:with:colons" });
    const read = await readThrough(settings.cluster, "/auth/hello");
    expect(read.kv.value.toString()).toBe("with password");
  });

  it("says that etcd refused a wrong password", async () => {
    const error = await failureOf(readThrough(settingsFor(authEtcd, { username: "root", password: "wrong" }), "/auth/hello"));
    expect(error.code).toBe("etcd_unavailable");
    expect(error.message).toMatch(/refused the credentials: the user name or password \(ETCDCTL_USER\) is wrong$/);
  });

  it("fails clearly when the server certificate is not signed by the given CA", async () => {
    const error = await failureOf(
      readThrough(
        settingsFor(tlsEtcd, { ...pki.client, caFile: pki.otherCaFile, username: "root", password: "tls-secret" }),
        "/secure/hello",
      ),
    );
    expect(error.code).toBe("etcd_unavailable");
    expect(error.message).toBe(`the certificate of etcd at ${tlsEtcd.endpoint} is not signed by ETCDCTL_CACERT`);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe("client certificates etcd rejects, with password auth on top", () => {
  // With a user to authenticate, etcd3's first call reports only "Last error: null"; the message
  // must still say what is wrong.
  it("says that etcd requires a client certificate when none is set", async () => {
    const error = await failureOf(
      readThrough(settingsFor(tlsEtcd, { caFile: pki.client.caFile, username: "root", password: "tls-secret" }), "/secure/hello"),
    );
    expect(error.message).toBe(`etcd at ${tlsEtcd.endpoint} requires a client certificate; set ETCDCTL_CERT and ETCDCTL_KEY`);
  });

  it("says that etcd rejected a client certificate another CA signed", async () => {
    const foreign = makeTestPki(scratchDir(join(tmpdir(), "etcdlens-test"), "foreign-pki"));
    const error = await failureOf(
      readThrough(
        settingsFor(tlsEtcd, {
          caFile: pki.client.caFile,
          certFile: foreign.client.certFile,
          keyFile: foreign.client.keyFile,
          username: "root",
          password: "tls-secret",
        }),
        "/secure/hello",
      ),
    );
    expect(error.code).toBe("etcd_unavailable");
    expect(error.message).toBe(
      `etcd at ${tlsEtcd.endpoint} rejected the client certificate (ETCDCTL_CERT and ETCDCTL_KEY): it is not signed by a CA etcd trusts`,
    );
  });
});

describe("unreachable endpoints and failover", () => {
  it("answers etcd_unavailable naming the endpoint when nothing listens", async () => {
    const port = await findFreePort();
    const connection = connectCluster({ endpoints: [`127.0.0.1:${port}`], requestTimeoutMs: 1000 });
    const error = await failureOf(callEtcd(connection, () => getClusterHeader(connection)));
    connection.client.close();
    expect(error.code).toBe("etcd_unavailable");
    expect(statusOf(error)).toBe(502);
    expect(error.message).toBe(`nothing accepts connections at 127.0.0.1:${port} (connection refused)`);
  });

  it("fails over to a listed endpoint that answers", async () => {
    const deadPort = await findFreePort();
    const connection = connectCluster({
      endpoints: [`127.0.0.1:${deadPort}`, authEtcd.endpoint],
      username: "root",
      password: "s3cret:with:colons",
      requestTimeoutMs: 2000,
    });
    try {
      for (let i = 0; i < 5; i++) {
        const header = await callEtcd(connection, () => getClusterHeader(connection));
        expect(header.revision).toBeGreaterThan(0);
      }
    } finally {
      connection.client.close();
    }
  });
});
