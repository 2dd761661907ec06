// Whether a value is, or holds, a Kubernetes Secret, judged from its key and its framing before
// anything is decoded, so that a value too broken to decode is still known to be one. Pure, cheap,
// and it never throws; every place that shows or sends a value asks here.
import { PROTOBUF_MAGIC } from "./envelope";
import { startsWith } from "./bytes";

/** Why a value counts as a Secret; any one is enough. */
export type SecretReason =
  /** The key lies under the secrets resource: `<any prefix>/secrets/<namespace>/<name>`. */
  | "key"
  /** The protobuf envelope's typeMeta names kind Secret (readable even when the rest is cut off). */
  | "envelope"
  /** The bytes hold `kind: Secret` as JSON, YAML or a protobuf typeMeta, at the top or nested. */
  | "content";

// The API server stores a namespaced object at <prefix>/<resource>/<namespace>/<name>; names hold
// no "/". The prefix is the API server's --etcd-prefix (/registry by default), so any prefix counts.
const SECRETS_KEY = /(?:^|\/)secrets\/[^/]+\/[^/]+$/;

const latin1 = new TextDecoder("latin1");

export function isSecretKey(key: Uint8Array): boolean {
  return SECRETS_KEY.test(latin1.decode(key));
}

/** The typeMeta kind of a "k8s\0" value, read leniently: what the bytes hold of it, even cut short. */
export function readEnvelopeKind(bytes: Uint8Array): string | undefined {
  if (!startsWith(bytes, PROTOBUF_MAGIC)) return undefined;
  let pos = PROTOBUF_MAGIC.length;
  // Unknown.typeMeta is field 1; the API server writes it first.
  if (bytes[pos++] !== 0x0a) return undefined;
  const typeMetaLength = readVarint(bytes, pos);
  if (!typeMetaLength) return undefined;
  pos = typeMetaLength.end;
  const end = Math.min(bytes.length, pos + typeMetaLength.value);
  while (pos < end) {
    const tag = bytes[pos++];
    const length = readVarint(bytes, pos);
    if (!length || (tag & 7) !== 2) return undefined;
    const start = length.end;
    if (tag === 0x12) return latin1.decode(bytes.subarray(start, Math.min(end, start + length.value)));
    pos = start + length.value;
  }
  return undefined;
}

function readVarint(bytes: Uint8Array, from: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let shift = 0, pos = from; shift < 35 && pos < bytes.length; shift += 7) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return { value, end: pos };
  }
  return undefined;
}

const SECRET_WORD = "Secret";
// What comes before the word when it is a kind: JSON `"kind": "` (escaped too, `\"kind\":\"`, when a
// Secret sits in a JSON string such as last-applied-configuration), YAML `kind: ` or `kind: '`.
const KIND_BEFORE = /kind\\?["']?\s*:\s*\\?["']?$/;
// A protobuf TypeMeta's kind field: tag 0x12 (field 2, length-delimited) and length 6.
const PROTOBUF_KIND = [0x12, 0x06];
const KIND_CONTEXT = 24;

/** True when the bytes name kind Secret anywhere, as JSON, YAML or a protobuf TypeMeta. */
export function holdsSecretMarker(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf(SECRET_WORD); at >= 0; at = buffer.indexOf(SECRET_WORD, at + 1)) {
    if (at >= 2 && buffer[at - 2] === PROTOBUF_KIND[0] && buffer[at - 1] === PROTOBUF_KIND[1]) return true;
    const after = buffer[at + SECRET_WORD.length];
    // "Secrets", "SecretList", "SecretProviderClass": other words.
    if (after !== undefined && /[A-Za-z0-9_-]/.test(String.fromCharCode(after))) continue;
    if (KIND_BEFORE.test(latin1.decode(buffer.subarray(Math.max(0, at - KIND_CONTEXT), at)))) return true;
  }
  return false;
}

/** The same test on text already decoded (a string inside an object). */
export function textHoldsSecretMarker(text: string): boolean {
  return text.includes(SECRET_WORD) && holdsSecretMarker(Buffer.from(text));
}

/**
 * Why the value stored under key is a Secret or holds one, or undefined when nothing says so. The
 * key alone is enough: a Secret the bytes no longer show as one is still under the secrets path.
 */
export function judgeSecret(bytes: Uint8Array, key?: Uint8Array): SecretReason | undefined {
  try {
    if (key && isSecretKey(key)) return "key";
    if (readEnvelopeKind(bytes) === SECRET_WORD) return "envelope";
    if (holdsSecretMarker(bytes)) return "content";
    return undefined;
  } catch {
    // Judging must fail closed like everything else about Secrets.
    return "content";
  }
}
