// A tar member's path for an etcd key: relative, inside the archive, one file per key and no two
// keys alike. Keys are bytes and may hold anything: "..", ".", empty segments ("a//b"), a leading
// "/", NUL and control bytes, invalid UTF-8, backslashes. Each of these is percent-encoded, so
// `tar -xf` writes every file under the directory it runs in and the key can be read back.
//
// A key may be both a file and a folder ("/a" and "/a/b"), so a key's file always ends in its
// format's extension (".yaml", ".bin") and a folder segment ending in one of them has its dot
// encoded: "/a" is a.yaml and the folder a/, "/x.yaml/b" is x%2Eyaml/b.yaml.

export const TAR_EXTENSIONS = [".yaml", ".bin"] as const;
export type TarExtension = (typeof TAR_EXTENSIONS)[number];

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Printable ASCII but "%", "\\" and the characters shells and Windows treat specially. */
function isPlain(byte: number): boolean {
  return byte > 0x20 && byte < 0x7f && !'%\\:*?"<>|'.includes(String.fromCharCode(byte));
}

function encodeSegment(segment: Uint8Array): string {
  if (segment.length === 0) return "%";
  let text = "";
  let i = 0;
  while (i < segment.length) {
    const byte = segment[i];
    if (byte < 0x80) {
      text += isPlain(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      i += 1;
      continue;
    }
    // Valid UTF-8 characters stay readable (tar-stream writes them in a PAX header); other bytes are encoded.
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    const char = length > 1 ? tryUtf8(segment.subarray(i, i + length)) : undefined;
    if (char !== undefined && char.length > 0) {
      text += char;
      i += length;
    } else {
      text += `%${byte.toString(16).toUpperCase()}`;
      i += 1;
    }
  }
  if (text === "." || text === "..") return text.replaceAll(".", "%2E");
  return text;
}

function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The path of a key's file in the tar, relative and with no "." or ".." segment. */
export function keyToTarPath(key: Uint8Array, extension: TarExtension): string {
  const segments: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= key.length; i++) {
    if (i === key.length || key[i] === 0x2f) {
      segments.push(key.subarray(start, i));
      start = i + 1;
    }
  }
  // One leading "/" is the usual form of a key and is dropped; a key without it goes under "%%/"
  // (a name no segment encodes to), so "a" and "/a" stay apart.
  const rooted = key[0] === 0x2f;
  if (rooted) segments.shift();
  const names = segments.map(encodeSegment);
  if (!rooted) names.unshift("%%");
  for (let i = 0; i < names.length - 1; i++) {
    const name = names[i];
    for (const ext of TAR_EXTENSIONS) if (name.endsWith(ext)) names[i] = `${name.slice(0, -ext.length)}%2E${ext.slice(1)}`;
  }
  return `${names.join("/")}${extension}`;
}

/** For tests and tools: the key bytes a path segment stands for (the inverse of the encoding above). */
export function decodeTarSegment(name: string): Uint8Array {
  if (name === "%" || name === "%%") return new Uint8Array();
  const out: number[] = [];
  for (let i = 0; i < name.length;) {
    if (name[i] === "%") {
      out.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const char = String.fromCodePoint(name.codePointAt(i)!);
    out.push(...encoder.encode(char));
    i += char.length;
  }
  return Uint8Array.from(out);
}
