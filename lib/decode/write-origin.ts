// Who wrote a Kubernetes object and what it is, read cheaply for the Insights page's busiest
// writers: the envelope's kind, the metadata's namespace and the manager of the managedFields entry
// with the latest time. The protobuf walk skips every other field without decoding it (no strings
// but these three, no object built), so counting every write of a busy cluster stays cheap.
import { readUtf8 } from "./bytes";
import { PROTOBUF_MAGIC, readEnvelope } from "./envelope";
import { WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from "./wire";

export type WriteOrigin = { kind: string; namespace: string; manager: string };

// k8s.io/apimachinery ObjectMeta: namespace = 3, managedFields = 17; ManagedFieldsEntry: manager = 1,
// time = 4 (metav1.Time: seconds = 1); every object's metadata is its field 1.
const OBJECT_METADATA = 1;
const META_NAMESPACE = 3;
const META_MANAGED_FIELDS = 17;
const ENTRY_MANAGER = 1;
const ENTRY_TIME = 4;
const TIME_SECONDS = 1;

/** JSON objects (CRDs, etcd written by hand) are parsed only up to this size; a larger one counts without a manager. */
const MAX_JSON_BYTES = 256 * 1024;

/** The kind, namespace and latest manager of a stored Kubernetes object, or null when the value is none (or unreadable). Never throws. */
export function readWriteOrigin(value: Uint8Array): WriteOrigin | null {
  try {
    if (startsWithMagic(value)) return readProtobufOrigin(value);
    if (value.length > 0 && value.length <= MAX_JSON_BYTES && value[0] === 0x7b) return readJsonOrigin(value);
  } catch {
    return null;
  }
  return null;
}

function startsWithMagic(value: Uint8Array): boolean {
  return value.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((byte, i) => value[i] === byte);
}

function readProtobufOrigin(value: Uint8Array): WriteOrigin | null {
  const { envelope, error } = readEnvelope(value);
  if (error || !envelope.kind) return null;
  const origin: WriteOrigin = { kind: envelope.kind, namespace: "", manager: "" };
  const object = new WireReader(value, envelope.rawStart, envelope.rawEnd);
  while (!object.done) {
    const tag = object.uint32();
    if (tag >>> 3 !== OBJECT_METADATA || (tag & 7) !== WIRE_LENGTH_DELIMITED) {
      object.skip(tag & 7, tag >>> 3);
      continue;
    }
    const start = object.lengthDelimited();
    readMetadata(value, start, object.pos, origin);
    break;
  }
  return origin;
}

function readMetadata(value: Uint8Array, start: number, end: number, origin: WriteOrigin): void {
  const meta = new WireReader(value, start, end);
  let latest = -Infinity;
  while (!meta.done) {
    const tag = meta.uint32();
    const field = tag >>> 3;
    if ((tag & 7) === WIRE_LENGTH_DELIMITED && (field === META_NAMESPACE || field === META_MANAGED_FIELDS)) {
      const at = meta.lengthDelimited();
      if (field === META_NAMESPACE) origin.namespace = readUtf8(value, at, meta.pos);
      else {
        const entry = readManagedFieldsEntry(value, at, meta.pos);
        // The latest time wins; among equal times (or none), the entry listed last.
        if (entry.manager && entry.seconds >= latest) [latest, origin.manager] = [entry.seconds, entry.manager];
      }
    } else {
      meta.skip(tag & 7, field);
    }
  }
}

function readManagedFieldsEntry(value: Uint8Array, start: number, end: number): { manager: string; seconds: number } {
  const entry = new WireReader(value, start, end);
  let manager = "";
  let seconds = -1;
  while (!entry.done) {
    const tag = entry.uint32();
    const field = tag >>> 3;
    if ((tag & 7) === WIRE_LENGTH_DELIMITED && field === ENTRY_MANAGER) {
      const at = entry.lengthDelimited();
      manager = readUtf8(value, at, entry.pos);
    } else if ((tag & 7) === WIRE_LENGTH_DELIMITED && field === ENTRY_TIME) {
      const at = entry.lengthDelimited();
      const time = new WireReader(value, at, entry.pos);
      seconds = 0;
      while (!time.done) {
        const timeTag = time.uint32();
        if (timeTag >>> 3 === TIME_SECONDS && (timeTag & 7) === WIRE_VARINT) seconds = time.int64();
        else time.skip(timeTag & 7, timeTag >>> 3);
      }
    } else {
      entry.skip(tag & 7, field);
    }
  }
  return { manager, seconds };
}

function readJsonOrigin(value: Uint8Array): WriteOrigin | null {
  const object: unknown = JSON.parse(readUtf8(value, 0, value.length));
  if (!isRecord(object) || typeof object.kind !== "string" || !isRecord(object.metadata)) return null;
  const metadata = object.metadata;
  let manager = "";
  let latest = -Infinity;
  for (const entry of Array.isArray(metadata.managedFields) ? metadata.managedFields : []) {
    if (!isRecord(entry) || typeof entry.manager !== "string" || !entry.manager) continue;
    const time = typeof entry.time === "string" ? Date.parse(entry.time) : -1;
    const seconds = Number.isNaN(time) ? -1 : time / 1000;
    if (seconds >= latest) [latest, manager] = [seconds, entry.manager];
  }
  return { kind: object.kind, namespace: typeof metadata.namespace === "string" ? metadata.namespace : "", manager };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
