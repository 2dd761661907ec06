import "server-only";
import { z } from "zod";

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

export type ServerSettings = {
  cluster: ClusterSettings;
  revealSecrets: boolean;
};

export class ConfigurationError extends Error {}

function splitUser(user: string | undefined, password: string | undefined) {
  if (!user) return {};
  // etcdctl accepts "name:password" in ETCDCTL_USER, or the name alone with ETCDCTL_PASSWORD.
  const colon = user.indexOf(":");
  if (password !== undefined || colon < 0) return { username: user, password: password ?? "" };
  return { username: user.slice(0, colon), password: user.slice(colon + 1) };
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
  return {
    cluster: {
      endpoints,
      caFile: vars.ETCDCTL_CACERT,
      certFile: vars.ETCDCTL_CERT,
      keyFile: vars.ETCDCTL_KEY,
      ...splitUser(vars.ETCDCTL_USER, vars.ETCDCTL_PASSWORD),
      requestTimeoutMs: vars.ETCDLENS_REQUEST_TIMEOUT_MS,
    },
    revealSecrets: vars.ETCDLENS_REVEAL_SECRETS,
  };
}

let cached: ServerSettings | undefined;

export function getServerSettings(): ServerSettings {
  cached ??= parseServerSettings(process.env);
  return cached;
}
