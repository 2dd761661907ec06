// The keys of a kube-apiserver EncryptionConfiguration (apiserver.config.k8s.io/v1), read from the
// same file the API server is given with --encryption-provider-config. Only what decrypting needs
// is kept: each local key with its provider and name, and the names of KMS providers (whose keys
// live in the KMS and never in the file).
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export type LocalProvider = "aescbc" | "aesgcm" | "secretbox";

export type AtRestKey = { provider: LocalProvider; name: string; secret: Buffer };

export type AtRestKeys = {
  keys: AtRestKey[];
  /** KMS providers by name, with their API version ("v1" or "v2"). */
  kms: { name: string; apiVersion: string }[];
};

export class EncryptionConfigError extends Error {}

/** Secret sizes the API server accepts for each provider: AES takes 16, 24 or 32 bytes; secretbox exactly 32. */
const SECRET_SIZES: Record<LocalProvider, number[]> = { aescbc: [16, 24, 32], aesgcm: [16, 24, 32], secretbox: [32] };

const KeyList = z.object({ keys: z.array(z.object({ name: z.string().min(1), secret: z.string().min(1) })).min(1) });

const Provider = z.object({
  aescbc: KeyList.optional(),
  aesgcm: KeyList.optional(),
  secretbox: KeyList.optional(),
  identity: z.unknown().optional(),
  kms: z
    .object({ name: z.string().min(1), apiVersion: z.string().optional() })
    .passthrough()
    .optional(),
});

const Configuration = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal("EncryptionConfiguration", { message: "kind must be EncryptionConfiguration" }),
  resources: z.array(z.object({ resources: z.array(z.string()).optional(), providers: z.array(Provider).min(1) })).min(1),
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The keys of an EncryptionConfiguration's text (YAML or JSON). Throws EncryptionConfigError
 * naming what is wrong, never a secret: a key is named by provider and name only.
 */
export function parseEncryptionConfiguration(text: string): AtRestKeys {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new EncryptionConfigError(`the encryption configuration is not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = Configuration.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EncryptionConfigError(`the encryption configuration is not valid at ${issue.path.join(".") || "the top"}: ${issue.message}`);
  }
  const result: AtRestKeys = { keys: [], kms: [] };
  for (const resource of parsed.data.resources) {
    for (const provider of resource.providers) {
      for (const kind of ["aescbc", "aesgcm", "secretbox"] as const) {
        for (const key of provider[kind]?.keys ?? []) result.keys.push({ provider: kind, name: key.name, secret: readSecret(kind, key) });
      }
      if (provider.kms) result.kms.push({ name: provider.kms.name, apiVersion: provider.kms.apiVersion ?? "v1" });
    }
  }
  return result;
}

function readSecret(provider: LocalProvider, key: { name: string; secret: string }): Buffer {
  const trimmed = key.secret.trim();
  if (!BASE64.test(trimmed)) throw new EncryptionConfigError(`the ${provider} key "${key.name}" is not base64`);
  const secret = Buffer.from(trimmed, "base64");
  if (!SECRET_SIZES[provider].includes(secret.length)) {
    throw new EncryptionConfigError(
      `the ${provider} key "${key.name}" is ${secret.length} bytes; ${provider} takes ${SECRET_SIZES[provider].join(", ")} bytes`,
    );
  }
  return secret;
}
