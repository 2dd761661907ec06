import "server-only";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseAllowedHosts, parseHostAddress, type HostAddress, type HostPolicy } from "@/lib/http/allowed-host";
import { ARCHIVE_EVERY_KEY, type ArchiveKeyFilter } from "@/lib/archive/key-filter";
import { parseRetention, type Retention } from "@/lib/archive/retention";
import { AuthSettingsError, isLoopbackHost, parseAuthSettings, type AuthSettings } from "@/lib/auth/settings";

// The one place that reads process.env. The connection settings are the variables etcdctl reads,
// so a shell where etcdctl works starts the dashboard against the same cluster.

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => value === "true" || value === "1" || value === "yes");

const optionalPath = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() ? value.trim() : undefined));

const EnvSchema = z.object({
  ETCDCTL_ENDPOINTS: z.string().optional().default("127.0.0.1:2379"),
  ETCDCTL_CACERT: optionalPath,
  ETCDCTL_CERT: optionalPath,
  ETCDCTL_KEY: optionalPath,
  ETCDCTL_USER: z.string().optional(),
  ETCDCTL_PASSWORD: z.string().optional(),
  ETCDCTL_DIAL_TIMEOUT: z.string().optional(),
  ETCDLENS_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().optional().default(5000),
  ETCDLENS_REVEAL_SECRETS: booleanFlag,
  ETCDLENS_CONFIG: optionalPath,
});

export type ClusterSettings = {
  endpoints: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  requestTimeoutMs: number;
};

export type NamedCluster = ClusterSettings & {
  name: string;
  /** Where the explorer opens for this cluster, e.g. "/registry/". */
  defaultPrefix?: string;
  /** Which keys the archive records (the file's clusters[].archive); every key by default. */
  archive?: ArchiveKeyFilter;
  /** The members' --quota-backend-bytes, which etcd's status does not report (Insights); etcd's default 2 GiB when unset. */
  quotaBackendBytes?: number;
  /** False: the archive never records this cluster (a snapshot opened by `npm run open` never changes). */
  record?: boolean;
};

export type ServerSettings = {
  /** Every cluster the dashboard may connect to; the first is the default. */
  clusters: NamedCluster[];
  /** The default cluster (the first). */
  cluster: NamedCluster;
  revealSecrets: boolean;
};

/** The name the ETCDCTL_* variables' cluster goes by when a configuration file names others. */
export const ENV_CLUSTER_NAME = "default";

// Its message reaches the browser: it names the setting to fix, never a file path or a value; the
// underlying error (with the path) is its cause, for the server's log.
export class ConfigurationError extends Error {}

export type SettingField = "cacert" | "cert" | "key" | "user" | "passwordFile";

const ENV_VARIABLES: Record<SettingField, string> = {
  cacert: "ETCDCTL_CACERT",
  cert: "ETCDCTL_CERT",
  key: "ETCDCTL_KEY",
  user: "ETCDCTL_USER",
  passwordFile: "ETCDCTL_PASSWORD",
};

/** How the operator wrote a setting: the etcdctl variable, or the field of a cluster in ETCDLENS_CONFIG. */
export function describeSetting(cluster: { name?: string } | undefined, field: SettingField): string {
  if (cluster?.name && cluster.name !== ENV_CLUSTER_NAME) return `ETCDLENS_CONFIG cluster "${cluster.name}" ${field}`;
  return ENV_VARIABLES[field];
}

function splitUser(user: string | undefined, password: string | undefined) {
  if (!user) return {};
  // etcdctl accepts "name:password" in ETCDCTL_USER, or the name alone with ETCDCTL_PASSWORD.
  const colon = user.indexOf(":");
  if (password !== undefined || colon < 0) return { username: user, password: password ?? "" };
  return { username: user.slice(0, colon), password: user.slice(colon + 1) };
}

// The configuration file (ETCDLENS_CONFIG) names clusters; relative file paths in it are taken
// from the file's own folder. Secrets may be given inline or, better, as files.
const ClusterFileSchema = z.object({
  // "snapshot:<file name>" names a snapshot file that `npm run open` restored into a private etcd.
  name: z
    .string()
    .regex(
      /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?|snapshot:[A-Za-z0-9._-]{1,200})$/,
      'a cluster name is lowercase letters, digits and dashes (or "snapshot:" and a file name)',
    ),
  endpoints: z.union([z.string(), z.array(z.string()).min(1)]),
  cacert: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  passwordFile: z.string().optional(),
  defaultPrefix: z.string().optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  quotaBackendBytes: z.number().int().positive().optional(),
  archive: z
    .object({
      include: z.array(z.string().min(1, "a prefix is not empty")).optional(),
      exclude: z.array(z.string().min(1, "a prefix is not empty")).optional(),
    })
    .strict()
    .optional(),
  record: z.boolean().optional(),
});

const ConfigFileSchema = z.object({ clusters: z.array(ClusterFileSchema).optional().default([]) });

// The cluster settings and the sign-in settings (lib/auth/settings.ts) each take their sections
// of the file; each is read once per process (getServerSettings, getAuthSettings).
function readConfigDocument(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigurationError("ETCDLENS_CONFIG: the file cannot be read", { cause: error });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    // The parser's first line says where; the lines after it quote the file, passwords included.
    const where = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigurationError(`ETCDLENS_CONFIG is not valid YAML: ${where}`, { cause: error });
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigurationError("ETCDLENS_CONFIG: the file is not a mapping (clusters:, access:, tokens:)");
  }
  const sections = data as Record<string, unknown>;
  if (sections.clusters === undefined && sections.access === undefined && sections.tokens === undefined) {
    throw new ConfigurationError("ETCDLENS_CONFIG: file: the file names no cluster, no access rule and no token");
  }
  return data;
}

function readConfigFile(path: string, defaultTimeoutMs: number): NamedCluster[] {
  const data = readConfigDocument(path);
  const parsed = ConfigFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`ETCDLENS_CONFIG: ${issue.path.join(".") || "file"}: ${issue.message}`);
  }
  const folder = dirname(path);
  const file = (value: string | undefined) => (value ? (isAbsolute(value) ? value : resolve(folder, value)) : undefined);
  const names = new Set<string>();
  return parsed.data.clusters.map((entry) => {
    if (names.has(entry.name)) throw new ConfigurationError(`ETCDLENS_CONFIG names cluster "${entry.name}" twice`);
    names.add(entry.name);
    if (Boolean(entry.cert) !== Boolean(entry.key)) {
      throw new ConfigurationError(`cluster "${entry.name}": cert and key must be set together`);
    }
    const endpoints = (Array.isArray(entry.endpoints) ? entry.endpoints : entry.endpoints.split(","))
      .map((endpoint) => endpoint.trim())
      .filter(Boolean);
    if (endpoints.length === 0) throw new ConfigurationError(`cluster "${entry.name}" names no endpoint`);
    let password = entry.password;
    if (entry.passwordFile) {
      try {
        password = readFileSync(file(entry.passwordFile)!, "utf8").replace(/\r?\n$/, "");
      } catch (error) {
        throw new ConfigurationError(`${describeSetting(entry, "passwordFile")}: the file cannot be read`, { cause: error });
      }
    }
    return {
      name: entry.name,
      endpoints,
      caFile: file(entry.cacert),
      certFile: file(entry.cert),
      keyFile: file(entry.key),
      ...splitUser(entry.user, password),
      requestTimeoutMs: entry.requestTimeoutMs ?? defaultTimeoutMs,
      defaultPrefix: entry.defaultPrefix,
      quotaBackendBytes: entry.quotaBackendBytes,
      record: entry.record,
      archive: entry.archive ? { include: entry.archive.include ?? [], exclude: entry.archive.exclude ?? [] } : ARCHIVE_EVERY_KEY,
    };
  });
}

export function parseServerSettings(env: Record<string, string | undefined>): ServerSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`invalid ${issue.path.join(".")}: ${issue.message}`);
  }
  const vars = parsed.data;
  const endpoints = vars.ETCDCTL_ENDPOINTS.split(",")
    .map((endpoint) => endpoint.trim())
    .filter(Boolean);
  if (endpoints.length === 0) throw new ConfigurationError("ETCDCTL_ENDPOINTS names no endpoint");
  if (Boolean(vars.ETCDCTL_CERT) !== Boolean(vars.ETCDCTL_KEY)) {
    throw new ConfigurationError("ETCDCTL_CERT and ETCDCTL_KEY must be set together");
  }
  const fromEnvironment: NamedCluster = {
    name: ENV_CLUSTER_NAME,
    endpoints,
    caFile: vars.ETCDCTL_CACERT,
    certFile: vars.ETCDCTL_CERT,
    keyFile: vars.ETCDCTL_KEY,
    ...splitUser(vars.ETCDCTL_USER, vars.ETCDCTL_PASSWORD),
    requestTimeoutMs: vars.ETCDLENS_REQUEST_TIMEOUT_MS,
  };
  const fromFile = vars.ETCDLENS_CONFIG ? readConfigFile(vars.ETCDLENS_CONFIG, vars.ETCDLENS_REQUEST_TIMEOUT_MS) : [];
  // The ETCDCTL_* cluster keeps working beside the file's clusters when it is set explicitly, and
  // alone when there is no file.
  const useEnvironment = fromFile.length === 0 || env.ETCDCTL_ENDPOINTS !== undefined;
  if (useEnvironment && fromFile.some((cluster) => cluster.name === ENV_CLUSTER_NAME)) {
    throw new ConfigurationError(`ETCDLENS_CONFIG names a cluster "${ENV_CLUSTER_NAME}", the name of the ETCDCTL_* cluster; rename it`);
  }
  const clusters = useEnvironment ? [fromEnvironment, ...fromFile] : fromFile;
  return { clusters, cluster: clusters[0], revealSecrets: vars.ETCDLENS_REVEAL_SECRETS };
}

/** Who may talk to the server (see lib/http/allowed-host.ts); read apart from the cluster settings
 * so that a broken cluster configuration never opens the door. */
export type DoorSettings = HostPolicy & { development: boolean };

const DoorSchema = z.object({
  // `next start` sets PORT to the port it listens on before the first request (npm start passes
  // --port ${PORT:-3000}); 3000 is Next's own default.
  PORT: z.coerce.number().int().min(1).max(65535).optional().default(3000),
  HOST: z.string().optional(),
  ETCDLENS_ALLOWED_HOSTS: z.string().optional(),
  ETCDLENS_PUBLIC_URL: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

// Addresses that mean "every interface": nobody browses to them, so they name no host to allow.
const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "[::]"]);

export function parseDoorSettings(env: Record<string, string | undefined>): DoorSettings {
  const parsed = DoorSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`invalid ${issue.path.join(".")}: ${issue.message}`);
  }
  const vars = parsed.data;
  let allowed: HostAddress[];
  try {
    allowed = parseAllowedHosts(vars.ETCDLENS_ALLOWED_HOSTS);
  } catch (error) {
    throw new ConfigurationError(`invalid ETCDLENS_ALLOWED_HOSTS: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The name the operator bound the server to is one users browse to, on the server's port.
  const bound = vars.HOST
    ? parseHostAddress(vars.HOST.includes(":") && !vars.HOST.startsWith("[") ? `[${vars.HOST}]` : vars.HOST)
    : undefined;
  if (bound && !WILDCARD_ADDRESSES.has(bound.name)) allowed.push({ name: bound.name, port: vars.PORT });
  // The address users are sent to (sign-in redirects, copied links) is one the server answers to.
  if (vars.ETCDLENS_PUBLIC_URL?.trim()) {
    let url: URL;
    try {
      url = new URL(vars.ETCDLENS_PUBLIC_URL.trim());
    } catch {
      throw new ConfigurationError("invalid ETCDLENS_PUBLIC_URL: it is not an absolute URL such as https://etcdlens.example.com");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new ConfigurationError("invalid ETCDLENS_PUBLIC_URL: it is not an http or https URL");
    const host = parseHostAddress(url.host);
    if (host) allowed.push(host);
  }
  return { serverPort: vars.PORT, allowed, development: vars.NODE_ENV === "development" };
}

let cachedDoor: DoorSettings | undefined;

// Read on the first request, not at import: `next start` sets PORT only once it is listening.
export function getDoorSettings(): DoorSettings {
  cachedDoor ??= parseDoorSettings(process.env);
  return cachedDoor;
}

let cached: ServerSettings | undefined;

export function getServerSettings(): ServerSettings {
  cached ??= parseServerSettings(process.env);
  return cached;
}

/** Where the archive lives and whether this process records (see lib/archive/service.ts). */
export type ArchiveSettings = {
  /** ETCDLENS_ARCHIVE=off turns the archive off: views read etcd alone, nothing is recorded. */
  enabled: boolean;
  /** ETCDLENS_ARCHIVE_RECORD=off: this replica reads the archive but never records. */
  record: boolean;
  /** ETCDLENS_DATA_DIR, where the SQLite file lives (default .etcdlens in the working directory). */
  dataDir: string;
  /** ETCDLENS_ARCHIVE_URL: postgres://… stores the archive in PostgreSQL instead. */
  archiveUrl?: string;
  /** ETCDLENS_RECORDER_LOCK_TTL_MS: how long a recorder that stopped renewing keeps its lock. */
  lockTtlMs?: number;
  /** ETCDLENS_ARCHIVE_RETENTION ("14d", "20GB", "14d,20GB"): what the recorders prune; everything is kept when empty. */
  retention: Retention;
};

const onOff = z
  .enum(["on", "off", "true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((value) => !(value === "off" || value === "false" || value === "0" || value === "no"));

const ArchiveSchema = z.object({
  ETCDLENS_ARCHIVE: onOff,
  ETCDLENS_ARCHIVE_RECORD: onOff,
  ETCDLENS_DATA_DIR: optionalPath,
  ETCDLENS_ARCHIVE_URL: optionalPath,
  ETCDLENS_RECORDER_LOCK_TTL_MS: z.coerce.number().int().positive().optional(),
  ETCDLENS_ARCHIVE_RETENTION: z.string().optional(),
});

export function parseArchiveSettings(env: Record<string, string | undefined>): ArchiveSettings {
  const parsed = ArchiveSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Names the setting, never its value: ETCDLENS_ARCHIVE_URL may hold a password.
    throw new ConfigurationError(`invalid ${issue.path.join(".")}: ${issue.message}`);
  }
  const vars = parsed.data;
  let retention: Retention;
  try {
    retention = parseRetention(vars.ETCDLENS_ARCHIVE_RETENTION ?? "");
  } catch (error) {
    throw new ConfigurationError(`invalid ETCDLENS_ARCHIVE_RETENTION: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    enabled: vars.ETCDLENS_ARCHIVE,
    record: vars.ETCDLENS_ARCHIVE_RECORD,
    dataDir: vars.ETCDLENS_DATA_DIR ?? ".etcdlens",
    archiveUrl: vars.ETCDLENS_ARCHIVE_URL,
    lockTtlMs: vars.ETCDLENS_RECORDER_LOCK_TTL_MS,
    retention,
  };
}

let cachedArchive: ArchiveSettings | undefined;

export function getArchiveSettings(): ArchiveSettings {
  cachedArchive ??= parseArchiveSettings(process.env);
  return cachedArchive;
}

/** Parses the sign-in settings: the environment's ETCDLENS_AUTH and proxy variables, the file's access and tokens. */
export function parseAuthSettingsFrom(env: Record<string, string | undefined>): AuthSettings {
  const path = optionalPath.parse(env.ETCDLENS_CONFIG);
  try {
    return parseAuthSettings(env, path ? readConfigDocument(path) : undefined);
  } catch (error) {
    if (error instanceof AuthSettingsError) throw new ConfigurationError(error.message, { cause: error });
    throw error;
  }
}

let cachedAuth: AuthSettings | undefined;

export function getAuthSettings(): AuthSettings {
  cachedAuth ??= parseAuthSettingsFrom(process.env);
  return cachedAuth;
}

/**
 * The nonce scripts/serve.mjs puts in the environment and in the x-etcdlens-peer header of every
 * request it hands to Next; undefined under a server that does not stamp peer addresses (next start, next dev).
 */
export function getPeerNonce(): string | undefined {
  return process.env.ETCDLENS_PEER_NONCE || undefined;
}

/**
 * ETCDLENS_ENCRYPTION_CONFIG: the EncryptionConfiguration file kube-apiserver is given with
 * --encryption-provider-config, whose keys decrypt values encrypted at rest (lib/encryption). Its
 * keys stay on the server; undefined when unset.
 */
export function getEncryptionConfigFile(): string | undefined {
  const value = process.env.ETCDLENS_ENCRYPTION_CONFIG?.trim();
  return value ? resolve(value) : undefined;
}

/**
 * Who may scrape GET /metrics without signing in: anyone who reaches a server bound to loopback
 * (HOST unset or a loopback address), and a scraper presenting ETCDLENS_METRICS_TOKEN as a bearer
 * token. Anyone else signs in as for any other route.
 */
export type MetricsSettings = { boundToLoopback: boolean; token?: string };

/** A token shorter than this is guessable: refused at the first scrape, not taken. */
export const MIN_METRICS_TOKEN_LENGTH = 24;

export function parseMetricsSettings(env: Record<string, string | undefined>): MetricsSettings {
  const token = env.ETCDLENS_METRICS_TOKEN?.trim() || undefined;
  if (token !== undefined && (token.length < MIN_METRICS_TOKEN_LENGTH || /\s/.test(token))) {
    throw new ConfigurationError(
      `invalid ETCDLENS_METRICS_TOKEN: at least ${MIN_METRICS_TOKEN_LENGTH} characters and no spaces (openssl rand -hex 32)`,
    );
  }
  return { boundToLoopback: isLoopbackHost(env.HOST), ...(token ? { token } : {}) };
}

let cachedMetrics: MetricsSettings | undefined;

export function getMetricsSettings(): MetricsSettings {
  cachedMetrics ??= parseMetricsSettings(process.env);
  return cachedMetrics;
}

/** Where audit lines go (ETCDLENS_AUDIT_LOG): nowhere, stdout ("-", for the cluster's log pipeline), or a file appended to. */
export type AuditSettings = { target: "off" } | { target: "stdout" } | { target: "file"; path: string };

export function parseAuditSettings(env: Record<string, string | undefined>): AuditSettings {
  const value = env.ETCDLENS_AUDIT_LOG?.trim();
  if (!value) return { target: "off" };
  if (value === "-") return { target: "stdout" };
  return { target: "file", path: resolve(value) };
}

let cachedAudit: AuditSettings | undefined;

export function getAuditSettings(): AuditSettings {
  cachedAudit ??= parseAuditSettings(process.env);
  return cachedAudit;
}

/** OpenID Connect sign-in (ETCDLENS_AUTH=oidc) and the session cookie (lib/auth/session.ts, lib/auth/oidc.ts). */
export type OidcSettings = {
  issuer: URL;
  clientId: string;
  clientSecret?: string;
  /** The claim of the ID token (else userinfo) that holds the user's groups. */
  groupsClaim: string;
  scopes: string;
  /** ETCDLENS_PUBLIC_URL without a trailing slash: where browsers reach the dashboard. */
  publicUrl: string;
  /** `${publicUrl}/auth/callback`, the redirect URI registered at the provider. */
  redirectUri: string;
  /** Cookies carry Secure when the dashboard is served over https. */
  secureCookies: boolean;
  /** ETCDLENS_SESSION_SECRET; undefined means a random key per process (sessions end with a restart). */
  sessionSecret?: string;
  sessionTtlSeconds: number;
};

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "8h", "30m", "90s", "1d" or a number of seconds. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS[match[2] || "s"];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

export function parseOidcSettings(env: Record<string, string | undefined>): OidcSettings {
  const text = (name: string) => env[name]?.trim() || undefined;
  const required = (name: string) => {
    const value = text(name);
    if (!value) throw new ConfigurationError(`ETCDLENS_AUTH=oidc needs ${name}`);
    return value;
  };
  let issuer: URL;
  try {
    issuer = new URL(required("ETCDLENS_OIDC_ISSUER"));
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError("invalid ETCDLENS_OIDC_ISSUER: it is not an absolute URL such as https://dex.example.com");
  }
  let publicUrl: URL;
  try {
    publicUrl = new URL(required("ETCDLENS_PUBLIC_URL"));
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError("invalid ETCDLENS_PUBLIC_URL: it is not an absolute URL such as https://etcdlens.example.com");
  }
  if (publicUrl.protocol !== "https:" && publicUrl.protocol !== "http:")
    throw new ConfigurationError("invalid ETCDLENS_PUBLIC_URL: it is not an http or https URL");
  if (publicUrl.search || publicUrl.hash)
    throw new ConfigurationError("invalid ETCDLENS_PUBLIC_URL: it has no query or fragment, only scheme, host and path");
  const base = publicUrl.href.replace(/\/+$/, "");
  const secret = text("ETCDLENS_SESSION_SECRET");
  if (secret !== undefined && secret.length < 32)
    throw new ConfigurationError("ETCDLENS_SESSION_SECRET is at least 32 characters (e.g. `openssl rand -base64 48`)");
  const ttlText = text("ETCDLENS_SESSION_TTL") ?? "8h";
  const sessionTtlSeconds = parseDurationSeconds(ttlText);
  if (sessionTtlSeconds === undefined)
    throw new ConfigurationError('invalid ETCDLENS_SESSION_TTL: a duration such as "8h", "30m", "1d" or seconds');
  const groupsClaim = text("ETCDLENS_OIDC_GROUPS_CLAIM") ?? "groups";
  // Dex and Keycloak (with a mapper) release groups only for a "groups" scope; providers that do
  // not know it ignore it.
  const scopes = text("ETCDLENS_OIDC_SCOPES") ?? `openid profile email${groupsClaim === "groups" ? " groups" : ""}`;
  if (!scopes.split(/\s+/).includes("openid")) throw new ConfigurationError('ETCDLENS_OIDC_SCOPES must include "openid"');
  return {
    issuer,
    clientId: required("ETCDLENS_OIDC_CLIENT_ID"),
    clientSecret: text("ETCDLENS_OIDC_CLIENT_SECRET"),
    groupsClaim,
    scopes,
    publicUrl: base,
    redirectUri: `${base}/auth/callback`,
    secureCookies: publicUrl.protocol === "https:",
    sessionSecret: secret,
    sessionTtlSeconds,
  };
}

let cachedOidc: OidcSettings | undefined;

export function getOidcSettings(): OidcSettings {
  cachedOidc ??= parseOidcSettings(process.env);
  return cachedOidc;
}
