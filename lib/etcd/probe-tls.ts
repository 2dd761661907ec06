import "server-only";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { connect } from "node:tls";
import type { ClusterConnection } from "./client";

// gRPC does not always say why a TLS connection failed: depending on when a call gives up it
// reports "No connection established. Last error: null". When that happens the dashboard makes
// one TLS handshake of its own to the first endpoint, with the same CA, certificate and key, and
// reports what Node's TLS library says: that the server's certificate is not trusted, that the
// server rejected the client certificate, or that nothing listens.

// A server that rejects a client certificate under TLS 1.3 does so after the handshake has
// completed on the client's side; this long is waited for its alert.
const ALERT_WAIT_MS = 300;

function endpointAddress(endpoint: string, tls: boolean): { host: string; port: number } | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `${tls ? "https" : "http"}://${endpoint}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== "https:") return undefined;
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 2379) };
  } catch {
    return undefined;
  }
}

/** The TLS handshake's own error with the first endpoint, or undefined when it succeeds or is not TLS. */
export function probeTls(connection: ClusterConnection, timeoutMs: number): Promise<Error | undefined> {
  const { settings } = connection;
  const tls = Boolean(settings.caFile || settings.certFile);
  const address = endpointAddress(settings.endpoints[0] ?? "", tls);
  if (!address) return Promise.resolve(undefined);
  let files: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  try {
    files = {
      ca: settings.caFile ? readFileSync(settings.caFile) : undefined,
      cert: settings.certFile ? readFileSync(settings.certFile) : undefined,
      key: settings.keyFile ? readFileSync(settings.keyFile) : undefined,
    };
  } catch {
    // An unreadable file is reported by the client itself, by setting name.
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({
      host: address.host,
      port: address.port,
      servername: isIP(address.host) ? undefined : address.host,
      ALPNProtocols: ["h2"],
      ...files,
    });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once("error", (error) => finish(error));
    socket.once("secureConnect", () => {
      socket.resume();
      setTimeout(() => finish(undefined), ALERT_WAIT_MS);
    });
  });
}
