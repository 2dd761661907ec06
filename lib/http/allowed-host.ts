// Which Host headers the server answers: the defence against DNS rebinding. A hostile page whose
// name resolves to 127.0.0.1 reaches the dashboard from the victim's own browser, but its requests
// still carry the hostile name in Host; refusing unknown names is what keeps it out. Pure, so the
// proxy and the tests share it.

/** A host as the browser addresses it: a lowercase name (IPv6 in brackets) and a port, if given. */
export type HostAddress = { name: string; port?: number };

export type HostPolicy = {
  /** The port the server listens on; loopback names are answered on it only. */
  serverPort: number;
  /** Names the operator allowed; without a port, a name is answered on any port. */
  allowed: HostAddress[];
};

// The names of this machine that no DNS answer can forge. "localhost." is the same name written
// fully qualified, as some clients send it.
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

// The characters a Host header may hold: registered names, IPv4 and bracketed IPv6, and a port.
// Anything else (userinfo "@", paths, spaces, percent-escapes) is refused before the URL parser
// could read it some other way.
const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:[0-9]*)?$/i;

/**
 * Reads a Host header (or an ETCDLENS_ALLOWED_HOSTS entry) into a canonical name and port, the way
 * a browser would write it: lowercase, no trailing dot, IPv4 and IPv6 in their shortest form.
 * Undefined when it is not a host at all.
 */
export function parseHostAddress(value: string): HostAddress | undefined {
  const text = value.trim();
  if (!HOST_SYNTAX.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    return undefined;
  }
  // The URL parser drops a port of 80 for http; keep what was written.
  const written = /:([0-9]+)$/.exec(text)?.[1];
  const port = written === undefined ? undefined : Number(written);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return undefined;
  const name = url.hostname.replace(/\.$/, "");
  if (name === "" || name.startsWith(".")) return undefined;
  return { name, port };
}

/** True when the Host header names this server: a loopback name with its port, or an allowed host. */
export function isAllowedHost(hostHeader: string | null | undefined, policy: HostPolicy): boolean {
  if (!hostHeader) return false;
  const host = parseHostAddress(hostHeader);
  if (!host) return false;
  // A Host without a port means the scheme's default; the dashboard is served over plain HTTP.
  const port = host.port ?? 80;
  if (LOOPBACK_NAMES.has(host.name) && port === policy.serverPort) return true;
  return policy.allowed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === port));
}

/**
 * Reads ETCDLENS_ALLOWED_HOSTS ("name" or "name:port", comma-separated) into addresses; throws a
 * message naming the entry that is not a host.
 */
export function parseAllowedHosts(list: string | undefined): HostAddress[] {
  if (!list) return [];
  return list
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const host = parseHostAddress(entry);
      if (!host) throw new Error(`"${entry}" is not a host name or host:port`);
      return host;
    });
}
