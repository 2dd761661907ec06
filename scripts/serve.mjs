// npm start — the production server: Next's request handler behind Node's own HTTP server, so
// that every request carries the address of whoever connected. Next hands route handlers and the
// proxy no socket, and proxy sign-in (ETCDLENS_AUTH=proxy) must believe user headers only from
// ETCDLENS_TRUSTED_PROXIES: this server writes "<nonce> <peer address>" into x-etcdlens-peer on
// every request, replacing whatever a client sent, and lib/auth believes the header only with the
// nonce this process chose at start (ETCDLENS_PEER_NONCE, never sent anywhere).
//
// Plain JavaScript on purpose: it runs from the standalone build too (the container image), where
// there is no TypeScript loader. It serves the build found in ETCDLENS_DIST_DIR (default .next)
// under the working directory, or under ETCDLENS_APP_DIR when set.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";

const PEER_HEADER = "x-etcdlens-peer";

const dir = resolve(process.env.ETCDLENS_APP_DIR || process.cwd());
const distDir = process.env.ETCDLENS_DIST_DIR || ".next";
const hostname = process.env.HOST || "127.0.0.1";
const port = Number.parseInt(process.env.PORT || "3000", 10);

function fail(message) {
  console.error(`etcdlens: not starting: ${message}`);
  process.exit(78);
}

if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);

// The configuration the build was made with, as `next build` wrote it: the standalone folder has
// no next.config.ts, and loading it again here could disagree with the build.
let config;
try {
  config = JSON.parse(readFileSync(join(dir, distDir, "required-server-files.json"), "utf8")).config;
} catch {
  fail(`no production build in ${distDir} (run \`npm run build\` first)`);
}

process.env.NODE_ENV = "production";
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
process.env.ETCDLENS_PEER_NONCE = randomBytes(24).toString("base64url");
const nonce = process.env.ETCDLENS_PEER_NONCE;

// Imported after the environment is set: Next reads it while loading.
const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port, conf: config });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  // Node lower-cases header names, so this replaces every spelling a client could have sent.
  request.headers[PEER_HEADER] = `${nonce} ${request.socket.remoteAddress ?? ""}`;
  handle(request, response).catch((error) => {
    console.error(`etcdlens: request failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
    response.end("internal error");
  });
});
server.on("error", (error) => fail(`cannot listen on ${hostname}:${port} (${error.code ?? error.message})`));
server.listen(port, hostname, () => {
  const address = server.address();
  const listening = typeof address === "object" && address ? address.port : port;
  // lib/env.ts reads PORT for the Host check: the port actually listened on (PORT=0 picks one).
  process.env.PORT = String(listening);
  console.log(`etcdlens: listening on http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${listening}`);
});
