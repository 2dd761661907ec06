import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { findFreePort, scratchDir } from "@/scripts/lib/etcd-process";
import { checkAccessMatrix, matrixRule, removeMatrix, seedMatrix, type Asker, type Matrix } from "../support/access-matrix";
import { readState } from "../support/state";
import { stopServer } from "../support/stop-server";

// The deployment as the container image runs it: the build's standalone folder copied into a
// clean folder (nothing of the checkout beside it, no devDependencies), started with npm start's
// own server (scripts/serve.mjs), in proxy sign-in mode. Requests come from two loopback
// addresses: 127.0.0.1 is the trusted proxy, 127.0.0.2 stands for anyone else on the network.
// The matrix: proxy headers believed from the proxy only (a forged peer header changes nothing),
// access rules applied to who the proxy says it is, bearer tokens from anywhere, revoked ones refused.

const root = process.cwd();
const distDir = process.env.ETCDLENS_DIST_DIR ?? ".next";
const PREFIX = "/e2e-standalone/";
const KEY = `${PREFIX}system:node café`;
const VALUE = "served by the standalone folder";
const TOKEN = "e2e-standalone-token-for-the-ci-robot";
const REVOKED = "e2e-standalone-token-that-leaked";
const MATRIX_TOKEN = "e2e-standalone-token-of-the-matrix-robot";
let matrix: Matrix;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let folder = "";
let server: ChildProcess | undefined;
let port = 0;
let said = "";

type Answer = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

/** One request from a chosen loopback address: fetch cannot pick its source address. */
function ask(path: string, from: "127.0.0.1" | "127.0.0.2", headers: Record<string, string> = {}, headOnly = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: "127.0.0.1", port, path, localAddress: from, headers }, (response) => {
      if (headOnly) {
        response.destroy();
        return resolve({ status: response.statusCode ?? 0, body: "", headers: response.headers });
      }
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const asAna = { "X-Forwarded-User": "ana", "X-Forwarded-Groups": "ops, dev" };

/** The access matrix's way of asking, with these credentials from this address. */
function askerWith(from: "127.0.0.1" | "127.0.0.2", headers: Record<string, string>): Asker {
  const contentTypeOf = (answer: Answer) => String(answer.headers["content-type"] ?? "");
  return {
    get: async (path) => {
      const answer = await ask(path, from, headers);
      return { status: answer.status, body: answer.body, contentType: contentTypeOf(answer) };
    },
    head: async (path) => {
      const answer = await ask(path, from, headers, true);
      return { status: answer.status, contentType: contentTypeOf(answer) };
    },
  };
}
const keyPath = `/api/key?key=${encodeURIComponent(KEY)}`;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(90_000);
  const standalone = join(root, distDir, "standalone");
  if (!existsSync(join(standalone, "server.js")))
    throw new Error(`${standalone} is missing: next.config.ts must keep output: "standalone"`);
  const state = readState();
  const writer = new Etcd3({ hosts: state.etcd.endpoint });
  await writer.put(KEY).value(VALUE).exec();
  await writer.put("/e2e-elsewhere/hidden").value("not under the rules").exec();
  writer.close();
  matrix = await seedMatrix(state.etcd.endpoint, "/e2e-standalone-matrix/");

  // What the Dockerfile copies, and nothing else.
  folder = scratchDir(join(tmpdir(), "etcdlens-e2e"), "standalone");
  rmSync(folder, { recursive: true, force: true });
  cpSync(standalone, folder, { recursive: true });
  cpSync(join(root, distDir, "static"), join(folder, distDir, "static"), { recursive: true });
  mkdirSync(join(folder, "scripts"));
  cpSync(join(root, "scripts", "serve.mjs"), join(folder, "scripts", "serve.mjs"));
  const config = join(folder, "etcdlens.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      access: [
        { groups: ["dev"], clusters: "*", prefixes: [PREFIX], rights: ["list", "read"] },
        { groups: ["matrix"], ...matrixRule(matrix.prefix) },
      ],
      tokens: [
        { name: "ci-robot", sha256: sha256(TOKEN), groups: ["dev"] },
        { name: "matrix-robot", sha256: sha256(MATRIX_TOKEN), groups: ["matrix"] },
        { name: "leaked", sha256: sha256(REVOKED), groups: ["dev"], revoked: true },
      ],
    }),
  );

  port = await findFreePort();
  const env: Record<string, string | undefined> = {};
  // Only what a container would be given: no test runner's variables, no checkout on the path.
  for (const name of ["PATH", "HOME", "LANG", "TMPDIR"]) env[name] = process.env[name];
  Object.assign(env, {
    ETCDCTL_ENDPOINTS: state.etcd.endpoint,
    ETCDLENS_CONFIG: config,
    ETCDLENS_DIST_DIR: distDir,
    ETCDLENS_ARCHIVE: "off",
    ETCDLENS_AUTH: "proxy",
    ETCDLENS_PROXY_USER_HEADER: "X-Forwarded-User",
    ETCDLENS_PROXY_GROUPS_HEADER: "X-Forwarded-Groups",
    ETCDLENS_TRUSTED_PROXIES: "127.0.0.1/32",
    HOST: "127.0.0.1",
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
  });
  server = spawn(process.execPath, ["scripts/serve.mjs"], {
    cwd: folder,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => (said += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await ask("/api/healthz", "127.0.0.1").catch(() => null);
    if (answer?.status === 200) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the standalone server did not start:\n${said}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

test.afterAll(async () => {
  await stopServer(server);
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  await writer.delete().prefix(PREFIX).exec();
  await writer.delete().key("/e2e-elsewhere/hidden").exec();
  writer.close();
  if (matrix) await removeMatrix(readState().etcd.endpoint, matrix);
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("the copied folder runs alone: its node_modules hold no test tooling, and it says where it listens", () => {
  expect(existsSync(join(folder, "node_modules", "next"))).toBe(true);
  for (const devOnly of ["vitest", "@playwright/test", "typescript", "oidc-provider"]) {
    expect(existsSync(join(folder, "node_modules", devOnly)), devOnly).toBe(false);
  }
  expect(said).toContain(`etcdlens: listening on http://127.0.0.1:${port}`);
});

test("the trusted proxy's user sees what the rules give their groups: the page, its assets, the key; nothing else", async () => {
  const page = await ask(`/keys${encodeURI(PREFIX.slice(0, -1))}`, "127.0.0.1", asAna);
  expect(page.status).toBe(200);
  expect(page.headers["content-security-policy"]).toBeTruthy();
  const stylesheet = /\/_next\/static\/[^"]+\.css/.exec(page.body)?.[0];
  expect(stylesheet).toBeTruthy();
  expect((await ask(stylesheet!, "127.0.0.2")).status).toBe(200);

  const me = await ask("/api/me", "127.0.0.1", asAna);
  expect(JSON.parse(me.body)).toMatchObject({ user: "ana", groups: ["ops", "dev"] });
  const key = await ask(keyPath, "127.0.0.1", asAna);
  expect(key.status).toBe(200);
  expect(key.body).toContain(VALUE);
  const elsewhere = await ask(`/api/key?key=${encodeURIComponent("/e2e-elsewhere/hidden")}`, "127.0.0.1", asAna);
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.body).not.toContain("not under the rules");
  // A user the proxy vouches for but no rule names sees nothing.
  const stranger = await ask(keyPath, "127.0.0.1", { "X-Forwarded-User": "bob" });
  expect(stranger.status).toBe(403);
  expect(stranger.body).not.toContain(VALUE);
});

test("the same headers from any other address are ignored, a forged peer header included", async () => {
  const direct = await ask(keyPath, "127.0.0.2", asAna);
  expect(direct.status).toBe(401);
  expect(direct.body).not.toContain(VALUE);
  // A client that knows the header's name still cannot say where it connects from: the server
  // writes the header itself, and the nonce it would need is never sent.
  const forged = await ask(keyPath, "127.0.0.2", { ...asAna, "X-Etcdlens-Peer": "x 127.0.0.1" });
  expect(forged.status).toBe(401);
  expect(forged.body).not.toContain(VALUE);
  // A page asked for without sign-in gets the refusal, not the tree.
  const page = await ask(`/keys${encodeURI(PREFIX.slice(0, -1))}`, "127.0.0.2", asAna);
  expect([401, 403]).toContain(page.status);
  expect(page.body).not.toContain(VALUE);
  // Nothing about the server's insides in any of them.
  for (const answer of [direct, forged, page]) expect(answer.body).not.toMatch(/\/tmp\/|node_modules|at [A-Za-z]+ \(/);
});

test("a bearer token works from anywhere with its groups; a revoked or unknown one is refused", async () => {
  const robot = await ask(keyPath, "127.0.0.2", { Authorization: `Bearer ${TOKEN}` });
  expect(robot.status).toBe(200);
  expect(robot.body).toContain(VALUE);
  const me = await ask("/api/me", "127.0.0.2", { Authorization: `Bearer ${TOKEN}` });
  expect(JSON.parse(me.body)).toMatchObject({ user: "ci-robot", groups: ["dev"] });
  for (const token of [REVOKED, "not-a-token-this-server-knows"]) {
    const refused = await ask(keyPath, "127.0.0.2", { Authorization: `Bearer ${token}` });
    expect(refused.status).toBe(401);
    expect(refused.body).not.toContain(VALUE);
  }
});

test("the access matrix, signed in by the trusted proxy's headers: every route allows, refuses and shows in part as the rule says", async () => {
  await checkAccessMatrix(askerWith("127.0.0.1", { "X-Forwarded-User": "mia", "X-Forwarded-Groups": "matrix" }), matrix);
});

test("the access matrix, signed in with a bearer token from any address", async () => {
  await checkAccessMatrix(askerWith("127.0.0.2", { Authorization: `Bearer ${MATRIX_TOKEN}` }), matrix);
});
