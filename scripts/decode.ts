// npm run -s decode -- [--yaml] [--reveal-secrets] [--key KEY] [--encryption-config FILE] [FILE]
// Prints an etcd value (a file, or stdin) as Kubernetes JSON, or YAML with --yaml (keys sorted, as
// kubectl prints it). Works on `etcdctl get KEY --print-value-only` output, which ends with one
// extra newline. Secret values are masked, and a Secret that cannot be decoded is not printed,
// unless --reveal-secrets; --key names the key the value came from (a secrets path is a Secret).
// A value encrypted at rest is decrypted with the API server's EncryptionConfiguration
// (--encryption-config, else ETCDLENS_ENCRYPTION_CONFIG); aesgcm also needs --key.
import { readFileSync } from "node:fs";
import { decodeValue, type DecodedValue } from "../lib/decode/index";
import { toYaml } from "../lib/decode/yaml";
import { installAtRestKeys } from "../lib/encryption/installed";
import { parseEncryptionConfiguration } from "../lib/encryption/keys";

function readInput(file: string | undefined): Uint8Array {
  return new Uint8Array(file ? readFileSync(file) : readFileSync(0));
}

function isMalformed(value: DecodedValue): boolean {
  return (
    ((value.format === "kubernetes" || value.format === "cbor" || value.format === "encrypted") && value.error !== undefined) ||
    value.format === "undecodable-secret"
  );
}

/** etcdctl appends "\n" to the value; a payload that is complete without it is read without it. */
function decodeTolerantly(bytes: Uint8Array, revealSecrets: boolean, key: Uint8Array | undefined): DecodedValue {
  const decoded = decodeValue(bytes, { revealSecrets, key });
  if (!isMalformed(decoded) || bytes[bytes.length - 1] !== 0x0a) return decoded;
  const trimmed = decodeValue(bytes.subarray(0, bytes.length - 1), { revealSecrets, key });
  return isMalformed(trimmed) ? decoded : trimmed;
}

function optionValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function printable(value: DecodedValue): unknown {
  switch (value.format) {
    case "kubernetes":
      return value.object;
    case "json":
    case "cbor":
      return value.data;
    case "yaml":
      return value.data;
    default:
      return undefined;
  }
}

function main(): number {
  const args = process.argv.slice(2);
  const yaml = args.includes("--yaml");
  const revealSecrets = args.includes("--reveal-secrets");
  const key = optionValue(args, "--key");
  const encryptionConfig = optionValue(args, "--encryption-config") ?? (process.env.ETCDLENS_ENCRYPTION_CONFIG?.trim() || undefined);
  const file = args.find((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--key" && args[i - 1] !== "--encryption-config");
  if (encryptionConfig) {
    try {
      installAtRestKeys({ keys: parseEncryptionConfiguration(readFileSync(encryptionConfig, "utf8")) });
    } catch (error) {
      process.stderr.write(`the encryption configuration did not load: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  const decoded = decodeTolerantly(readInput(file), revealSecrets, key === undefined ? undefined : new TextEncoder().encode(key));

  if (decoded.format === "undecodable-secret") {
    process.stderr.write(`Secret, not decodable: ${decoded.size} bytes (${decoded.reason}); pass --reveal-secrets to decode it anyway\n`);
    return 1;
  }
  if (isMalformed(decoded)) {
    const error = (decoded as { error: { message: string; offset?: number } }).error;
    const at = error.offset === undefined ? "" : ` at byte offset ${error.offset}`;
    const what =
      decoded.format === "encrypted"
        ? `value encrypted at rest with ${decoded.provider} (key "${decoded.keyName}") not decrypted`
        : `malformed ${decoded.format} value${at}`;
    process.stderr.write(`${what}: ${error.message}\n`);
    return 1;
  }
  if (decoded.format === "text") process.stdout.write(decoded.text.endsWith("\n") ? decoded.text : `${decoded.text}\n`);
  else if (decoded.format === "empty") process.stderr.write("(empty value)\n");
  else if (decoded.format === "binary") process.stdout.write(`(binary, not text) ${JSON.stringify({ format: "binary" })}\n`);
  else if (decoded.format === "encrypted") process.stdout.write(`${JSON.stringify(decoded, null, 2)}\n`);
  else {
    const value = printable(decoded);
    // kubectl's YAML sorts keys (it converts through a map); its JSON keeps the API's field order.
    const sortKeys = decoded.format === "kubernetes";
    process.stdout.write(yaml ? toYaml(value, { sortKeys }) : `${JSON.stringify(value, null, 2)}\n`);
  }
  if (decoded.format === "kubernetes" && decoded.masked.length > 0) {
    process.stderr.write(`${decoded.masked.length} secret value(s) masked; pass --reveal-secrets to show them\n`);
  }
  return 0;
}

process.exitCode = main();
