// Revealing one masked value on request, so a page can show a single Secret value without the server
// ever sending the others.
import { decodeValue } from "./decode-value";
import type { JsonValue } from "./types";

export interface RevealedValue {
  value: string;
  /** "base64" for Secret data (as the API prints it), "text" for stringData and any other masked string. */
  encoding: "base64" | "text";
}

/** The value at path, revealed, when decoding the bytes (stored under key) masks a value there; otherwise undefined. */
export function readMaskedValue(bytes: Uint8Array, path: string[], key?: Uint8Array): RevealedValue | undefined {
  const masked = decodeValue(bytes, { key });
  if (masked.format !== "kubernetes" || !masked.masked.some((value) => samePath(value.path, path))) return undefined;
  const revealed = decodeValue(bytes, { revealSecrets: true, key });
  if (revealed.format !== "kubernetes") return undefined;
  const value = valueAt(revealed.object, path);
  if (typeof value !== "string") return undefined;
  // Only Secret.data is base64; stringData, the last-applied annotation and other masked strings are text.
  return { value, encoding: path[path.length - 2] === "data" ? "base64" : "text" };
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

function valueAt(root: JsonValue, path: string[]): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, segment)) return undefined;
    node = Array.isArray(node) ? node[Number(segment)] : node[segment];
  }
  return node;
}
