// npm run -s decode -- [--yaml] [--reveal-secrets] [FILE]
// Prints an etcd value (a file, or stdin) as Kubernetes JSON, or YAML with --yaml (keys sorted, as
// kubectl prints it). Works on `etcdctl get KEY --print-value-only` output, which ends with one
// extra newline.
import { readFileSync } from "node:fs";
import { decodeValue, type DecodedValue } from "../lib/decode/index";
import { toYaml } from "../lib/decode/yaml";

function readInput(file: string | undefined): Uint8Array {
  return new Uint8Array(file ? readFileSync(file) : readFileSync(0));
}

function isMalformed(value: DecodedValue): boolean {
  return (value.format === "kubernetes" || value.format === "cbor") && value.error !== undefined;
}

/** etcdctl appends "\n" to the value; a payload that is complete without it is read without it. */
function decodeTolerantly(bytes: Uint8Array, revealSecrets: boolean): DecodedValue {
  const decoded = decodeValue(bytes, { revealSecrets });
  if (!isMalformed(decoded) || bytes[bytes.length - 1] !== 0x0a) return decoded;
  const trimmed = decodeValue(bytes.subarray(0, bytes.length - 1), { revealSecrets });
  return isMalformed(trimmed) ? decoded : trimmed;
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
  const file = args.find((arg) => !arg.startsWith("--"));
  const decoded = decodeTolerantly(readInput(file), revealSecrets);

  if (isMalformed(decoded)) {
    const error = (decoded as { error: { message: string; offset?: number } }).error;
    const at = error.offset === undefined ? "" : ` at byte offset ${error.offset}`;
    process.stderr.write(`malformed ${decoded.format} value${at}: ${error.message}\n`);
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
