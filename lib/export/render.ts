// The three export formats, one key at a time: pure, so the stream in export-stream.ts only reads
// pages and writes what these return.
//
// YAML: one document per Kubernetes object, server-populated fields stripped (strip.ts), for
// `kubectl apply -f`. Anything else becomes a comment line saying why it is not a document: a
// value that is not a Kubernetes object, a Secret that could not be decoded, and a Secret whose
// values are masked (applying the placeholder would overwrite the real values).
// JSON lines: every key, for scripts: {"key","keyBase64","revision","createRevision","version",
// "valueEncoding","value"} where valueEncoding says what "value" holds: "object" (the decoded
// Kubernetes object or JSON/YAML document, Secret values masked unless revealed), "text" (UTF-8
// text), "base64" (the bytes as etcd holds them: binary, CBOR, values that stay encrypted) or
// "withheld" (a Secret that could not be decoded; value null).
import { toYaml } from "@/lib/decode/yaml";
import type { DecodedValue, JsonValue } from "@/lib/decode/types";
import { bytesToBase64, keyToDisplay } from "@/lib/keys";
import { stripServerFields, type StrippedField } from "./strip";
import type { TarExtension } from "./tar-path";

export type ExportEntry = {
  key: Uint8Array;
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
  version: number;
  decoded: DecodedValue;
};

export type ExportLine = {
  key: string;
  keyBase64: string;
  revision: number;
  createRevision: number;
  version: number;
  valueEncoding: "object" | "text" | "base64" | "withheld";
  value: JsonValue;
  masked?: boolean;
};

/** Why a key is not an applicable document, or null when it is one. */
export function whyNotADocument(decoded: DecodedValue): string | null {
  switch (decoded.format) {
    case "kubernetes":
      if (decoded.masked.length > 0) return "a Secret with masked values (export with the reveal right to include it)";
      if (decoded.error) return `a Kubernetes ${decoded.kind} that did not decode completely: ${decoded.error.message}`;
      return null;
    case "undecodable-secret":
      return `a Secret that could not be decoded (${decoded.reason})`;
    case "encrypted":
      return `encrypted (${decoded.provider}:${decoded.keyName}) and not decrypted`;
    default:
      return `not a Kubernetes object (${decoded.format})`;
  }
}

/** A comment line: text on one line whatever the key holds. */
const commentOf = (text: string) => `# ${text.replace(/[\r\n\u2028\u2029]/g, " ")}\n`;

/** The YAML export's text for one key: a document ("---" first) or a comment. */
export function renderYamlEntry(entry: ExportEntry, keep: ReadonlySet<StrippedField>): string {
  const display = keyToDisplay(entry.key);
  const why = whyNotADocument(entry.decoded);
  if (why !== null || entry.decoded.format !== "kubernetes") return commentOf(`skipped ${display}: ${why}`);
  return `---\n${commentOf(`${display} (modRevision ${entry.modRevision})`)}${toYaml(stripServerFields(entry.decoded.object, keep))}`;
}

export function toExportLine(entry: ExportEntry): ExportLine {
  const base = {
    key: keyToDisplay(entry.key),
    keyBase64: bytesToBase64(entry.key),
    revision: entry.modRevision,
    createRevision: entry.createRevision,
    version: entry.version,
  };
  const decoded = entry.decoded;
  switch (decoded.format) {
    case "kubernetes":
      return { ...base, valueEncoding: "object", value: decoded.object, ...(decoded.masked.length > 0 ? { masked: true } : {}) };
    case "json":
    case "yaml":
      return { ...base, valueEncoding: "object", value: decoded.data };
    case "text":
      return { ...base, valueEncoding: "text", value: decoded.text };
    case "empty":
      return { ...base, valueEncoding: "text", value: "" };
    case "undecodable-secret":
      return { ...base, valueEncoding: "withheld", value: null };
    default:
      return { ...base, valueEncoding: "base64", value: bytesToBase64(entry.value) };
  }
}

/** The tar's file for one key: its YAML document, its bytes as etcd holds them, or nothing (a note instead). */
export function renderTarFile(
  entry: ExportEntry,
  keep: ReadonlySet<StrippedField>,
): { extension: TarExtension; body: Uint8Array } | { skipped: string } {
  const decoded = entry.decoded;
  if (decoded.format === "kubernetes") {
    const why = whyNotADocument(decoded);
    if (why !== null) return { skipped: why };
    return { extension: ".yaml", body: new TextEncoder().encode(toYaml(stripServerFields(decoded.object, keep))) };
  }
  // A Secret is never written as bytes: they are the values in clear (or, encrypted, not a Secret's to give).
  if (decoded.format === "undecodable-secret") return { skipped: whyNotADocument(decoded)! };
  return { extension: ".bin", body: entry.value };
}
