// How this deployment signs people in and what they may see: ETCDLENS_AUTH and the proxy
// variables, with the configuration file's `access:` rules and `tokens:`. Pure (lib/env.ts reads
// the environment and the file and hands them over), so the tests check every refusal.
import { BlockList, isIP } from "node:net";
import { z } from "zod";
import { bytesFromText } from "@/lib/keys";
import type { AccessRule, Right } from "./access-rules";

export type AuthMode = "none" | "oidc" | "proxy";

export type BearerToken = {
  name: string;
  /** SHA-256 of the token, as the file gives it: the token itself is never stored. */
  sha256: string;
  groups: string[];
  /** A revoked token is kept in the file so that its use is refused by name (and audited), not as an unknown token. */
  revoked: boolean;
};

export type ProxySettings = {
  /** Lowercase header names. */
  userHeader: string;
  groupsHeader?: string;
  /** The addresses (and ranges) of the proxies whose headers are believed. */
  trusted: BlockList;
  trustedText: string;
};

export type AuthSettings = {
  mode: AuthMode;
  /** ETCDLENS_AUTH=none-i-know: no sign-in on a non-loopback address, the operator's explicit choice; the header says so. */
  unprotectedNetwork: boolean;
  proxy?: ProxySettings;
  tokens: BearerToken[];
  rules: AccessRule[];
};

export class AuthSettingsError extends Error {}

const nameList = z.array(z.string().min(1, "a name is not empty")).optional().default([]);

const RuleSchema = z
  .object({
    users: nameList,
    groups: nameList,
    clusters: z.union([z.literal("*"), z.array(z.string().min(1)).min(1, "a rule names at least one cluster, or '*'")]),
    prefixes: z.array(z.string()).optional().default([]),
    rights: z.array(z.enum(["list", "read", "reveal", "audit"])).min(1, "a rule grants at least one right"),
  })
  .strict();

const TokenSchema = z
  .object({
    name: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, "sha256 is 64 hexadecimal digits: the output of `printf %s TOKEN | sha256sum`"),
    groups: nameList,
    revoked: z.boolean().optional().default(false),
  })
  .strict();

/** The parts of the configuration file this module reads; lib/env.ts reads the rest. */
export const AuthFileSchema = z.object({
  access: z.array(RuleSchema).optional().default([]),
  tokens: z.array(TokenSchema).optional().default([]),
});

export type AuthFile = z.input<typeof AuthFileSchema>;

const EnvSchema = z.object({
  ETCDLENS_AUTH: z.enum(["none", "none-i-know", "oidc", "proxy"]).optional().default("none"),
  ETCDLENS_PROXY_USER_HEADER: z.string().optional(),
  ETCDLENS_PROXY_GROUPS_HEADER: z.string().optional(),
  ETCDLENS_TRUSTED_PROXIES: z.string().optional(),
  HOST: z.string().optional(),
});

// The addresses a server can listen on that nobody else can reach (HOST unset: serve.mjs binds 127.0.0.1).
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host.trim() === "") return true;
  const name = host
    .trim()
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  if (name === "localhost" || name === "::1") return true;
  return isIP(name) === 4 && name.startsWith("127.");
}

/** Reads "10.0.0.5, 10.1.0.0/16, fd00::/8" into a BlockList; refuses what is not an address or range. */
export function parseTrustedProxies(text: string): BlockList {
  const list = new BlockList();
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new AuthSettingsError("ETCDLENS_TRUSTED_PROXIES names no address");
  for (const entry of entries) {
    const [address, bits, extra] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || extra !== undefined)
      throw new AuthSettingsError(`ETCDLENS_TRUSTED_PROXIES: "${entry}" is not an address or CIDR range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      throw new AuthSettingsError(`ETCDLENS_TRUSTED_PROXIES: "${entry}" has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** Whether a peer address (as a socket gives it; IPv4 may come mapped into IPv6) is a trusted proxy. */
export function isTrustedProxy(proxy: ProxySettings, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1] : address;
  const family = isIP(plain);
  if (family === 0) return false;
  return proxy.trusted.check(plain, family === 4 ? "ipv4" : "ipv6");
}

function parseRules(entries: z.output<typeof RuleSchema>[]): AccessRule[] {
  return entries.map((entry, index) => {
    if (entry.users.length === 0 && entry.groups.length === 0) {
      throw new AuthSettingsError(`access[${index}] names no users and no groups: it would apply to nobody`);
    }
    const keyRights = entry.rights.filter((right) => right !== "audit");
    if (keyRights.length > 0 && entry.prefixes.length === 0) {
      throw new AuthSettingsError(`access[${index}] grants ${keyRights.join(", ")} but names no prefixes (use "" for every key)`);
    }
    return {
      index,
      users: entry.users,
      groups: entry.groups,
      clusters: entry.clusters,
      prefixes: entry.prefixes.map(bytesFromText),
      rights: entry.rights as Right[],
    };
  });
}

function parseTokens(entries: z.output<typeof TokenSchema>[]): BearerToken[] {
  const names = new Set<string>();
  const hashes = new Set<string>();
  return entries.map((entry) => {
    if (names.has(entry.name)) throw new AuthSettingsError(`tokens: the name "${entry.name}" is given twice`);
    const sha256 = entry.sha256.toLowerCase();
    if (hashes.has(sha256)) throw new AuthSettingsError(`tokens: "${entry.name}" has the same hash as another token`);
    names.add(entry.name);
    hashes.add(sha256);
    return { name: entry.name, sha256, groups: entry.groups, revoked: entry.revoked };
  });
}

function headerName(variable: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const name = value.trim().toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new AuthSettingsError(`${variable}: "${value}" is not a header name`);
  return name;
}

/**
 * The sign-in settings from the environment and the configuration file's access/tokens sections.
 * Refuses a server that would show etcd to its network with nobody signed in.
 */
export function parseAuthSettings(env: Record<string, string | undefined>, file: unknown): AuthSettings {
  const vars = EnvSchema.safeParse(env);
  if (!vars.success) {
    const issue = vars.error.issues[0];
    throw new AuthSettingsError(`invalid ${issue.path.join(".")}: ${issue.message} (none, oidc or proxy)`);
  }
  const parsedFile = AuthFileSchema.safeParse(file ?? {});
  if (!parsedFile.success) {
    const issue = parsedFile.error.issues[0];
    throw new AuthSettingsError(`ETCDLENS_CONFIG: ${issue.path.join(".")}: ${issue.message}`);
  }
  const { ETCDLENS_AUTH: auth, HOST: host } = vars.data;
  const mode: AuthMode = auth === "none-i-know" ? "none" : auth;
  if (auth === "none" && !isLoopbackHost(host)) {
    throw new AuthSettingsError(
      `HOST=${host} serves the dashboard beyond this machine with no sign-in: set ETCDLENS_AUTH=oidc or ETCDLENS_AUTH=proxy ` +
        `(see the README, "Running it for a team"), or ETCDLENS_AUTH=none-i-know if something in front already signs people in`,
    );
  }
  let proxy: ProxySettings | undefined;
  if (mode === "proxy") {
    const userHeader = headerName("ETCDLENS_PROXY_USER_HEADER", vars.data.ETCDLENS_PROXY_USER_HEADER);
    if (!userHeader) throw new AuthSettingsError("ETCDLENS_AUTH=proxy needs ETCDLENS_PROXY_USER_HEADER (e.g. X-Forwarded-User)");
    const trustedText = vars.data.ETCDLENS_TRUSTED_PROXIES?.trim();
    if (!trustedText)
      throw new AuthSettingsError("ETCDLENS_AUTH=proxy needs ETCDLENS_TRUSTED_PROXIES: the proxies' addresses or CIDR ranges");
    proxy = {
      userHeader,
      groupsHeader: headerName("ETCDLENS_PROXY_GROUPS_HEADER", vars.data.ETCDLENS_PROXY_GROUPS_HEADER),
      trusted: parseTrustedProxies(trustedText),
      trustedText,
    };
  }
  return {
    mode,
    unprotectedNetwork: auth === "none-i-know",
    proxy,
    tokens: parseTokens(parsedFile.data.tokens),
    rules: parseRules(parsedFile.data.access),
  };
}
