import { decodeValue, type JsonObject } from "@/lib/decode";
import { readEnvelope } from "@/lib/decode/envelope";
import { isKubernetesProtobuf } from "@/lib/decode/kubernetes-protobuf";
import { WIRE_LENGTH_DELIMITED, WireError, WireReader } from "@/lib/decode/wire";
import type { TimeEstimate } from "./store";
import { instantAt, objectAt, objectsAt, pathAt } from "@/lib/kube-table/read-json";

// When a revision happened, estimated from the clocks Kubernetes writes into its own objects, for
// the revisions the recorder did not see arrive (its baseline and etcd's retained history). etcd
// stores no times. The hints, best first:
// - a Lease's spec.renewTime: every node renews its Lease about every 10 s, so Lease writes form
//   a dense clock, and renewTime is the moment of that very write;
// - an Event's eventTime / lastTimestamp / series.lastObservedTime: written when it is recorded;
// - metadata.creationTimestamp, only on a create (version 1): later writes keep the old one;
// - the newest managedFields[].time: the last time a manager changed fields, at or before the write.
// Deliberately not kube-table's newestTimestampOf: that answers "the latest stamp in an object"
// (a status condition may be copied from elsewhere); this answers "when was this version written".
//
// Cost: the decoder (decodeValue) takes 30-90 us for a Lease and 90-170 us for a 3.5 KB Pod here,
// too much for every version of a million-key baseline or a replay at thousands of revisions/s.
// So protobuf Leases and every other protobuf object have only the few fields read off the wire
// (renewTime; ObjectMeta's creationTimestamp and managedFields times): 3-20 us. Events, rarer and
// with three layouts, and JSON objects (custom resources) when small, go through the decoder.

/** Kubernetes keeps Leases and Events here (kube-apiserver's default --etcd-prefix). */
const LEASE_PREFIX = Buffer.from("/registry/leases/");
const EVENT_PREFIXES = [Buffer.from("/registry/events/"), Buffer.from("/registry/events.k8s.io/")];
/** Bytes decoded at most for a hint: Leases and Events are small; a huge create is not worth it. */
const MAX_HINT_VALUE_BYTES = 64 * 1024;

/** One version as the recorder sees it. */
export type HintSource = { key: Buffer; version: number; value: Buffer };

/** The write time (epoch ms) one version's value tells, or null when it tells none. Never throws. */
export function clockHintOf(source: HintSource): number | null {
  if (source.value.length === 0) return null;
  const clockKey = startsWith(source.key, LEASE_PREFIX) || EVENT_PREFIXES.some((prefix) => startsWith(source.key, prefix));
  if (isKubernetesProtobuf(source.value)) {
    if (startsWith(source.key, LEASE_PREFIX)) {
      const renewed = leaseRenewTimeOf(source.value);
      if (renewed !== null) return renewed;
    }
    if (!clockKey) return metadataHintOf(source.value, source.version);
  }
  if (source.value.length > MAX_HINT_VALUE_BYTES) return null;
  // Only times are read: no value leaves this module, so Secrets need no judging (it costs more than the decode).
  const decoded = decodeValue(source.value);
  if (decoded.format === "kubernetes") return clockHintOfObject(decoded.object, source.version);
  if (decoded.format === "json") {
    const object = objectAt(decoded.data);
    return object ? clockHintOfObject(object, source.version) : null;
  }
  return null;
}

/**
 * Time estimates of the revisions a run of versions belongs to (a baseline page, revisions that did
 * not arrive live): per revision, the latest time its PUTs tell; revisions that tell none are left out.
 */
export function estimateTimes(versions: readonly (HintSource & { type: "PUT" | "DELETE"; revision: number })[]): TimeEstimate[] {
  const byRevision = new Map<number, number>();
  for (const version of versions) {
    if (version.type !== "PUT") continue;
    const hint = clockHintOf(version);
    if (hint === null) continue;
    const known = byRevision.get(version.revision);
    if (known === undefined || hint > known) byRevision.set(version.revision, hint);
  }
  return [...byRevision].map(([revision, time]) => ({ revision, time }));
}

/** The write time a decoded Kubernetes object tells (see the header for the order); null when none. */
export function clockHintOfObject(object: JsonObject, version: number): number | null {
  const kind = object.kind;
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  if (kind === "Lease" && apiVersion.startsWith("coordination.k8s.io/")) {
    const renewed = instantAt(pathAt(object, "spec", "renewTime"));
    if (renewed !== null) return renewed;
  }
  if (kind === "Event") {
    const times = [
      instantAt(object.eventTime),
      instantAt(object.lastTimestamp),
      instantAt(pathAt(object, "series", "lastObservedTime")),
      instantAt(object.deprecatedLastTimestamp),
    ].filter((time): time is number => time !== null);
    if (times.length > 0) return Math.max(...times);
  }
  const metadata = objectAt(object.metadata);
  if (version === 1) {
    const created = instantAt(metadata?.creationTimestamp);
    if (created !== null) return created;
  }
  let newest: number | null = null;
  for (const entry of objectsAt(metadata?.managedFields)) {
    const time = instantAt(entry.time);
    if (time !== null && (newest === null || time > newest)) newest = time;
  }
  return newest;
}

/** creationTimestamp (on a create) or the newest managedFields time, read off a protobuf object's ObjectMeta (field 1). */
function metadataHintOf(bytes: Buffer, version: number): number | null {
  const { envelope, error } = readEnvelope(bytes);
  if (error || envelope.rawEnd <= envelope.rawStart) return null;
  try {
    const meta = firstMessage(bytes, envelope.rawStart, envelope.rawEnd, 1);
    if (!meta) return null;
    let created: number | null = null;
    let newest: number | null = null;
    const reader = new WireReader(bytes, meta[0], meta[1]);
    while (!reader.done) {
      const tag = reader.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (wireType === WIRE_LENGTH_DELIMITED && (number === 8 || number === 17)) {
        const start = reader.lengthDelimited();
        if (number === 8) created = timeOf(bytes, start, reader.pos);
        else {
          const time = firstMessage(bytes, start, reader.pos, 4);
          const ms = time ? timeOf(bytes, time[0], time[1]) : null;
          if (ms !== null && (newest === null || ms > newest)) newest = ms;
        }
      } else reader.skip(wireType, number);
    }
    return version === 1 && created !== null ? created : newest;
  } catch (caught) {
    if (caught instanceof WireError) return null;
    throw caught;
  }
}

/** A coordination.k8s.io Lease's spec (field 2) renewTime (field 4, a MicroTime), off the wire. */
function leaseRenewTimeOf(bytes: Buffer): number | null {
  const { envelope, error } = readEnvelope(bytes);
  if (error || envelope.kind !== "Lease" || !envelope.apiVersion.startsWith("coordination.k8s.io/")) return null;
  try {
    const spec = firstMessage(bytes, envelope.rawStart, envelope.rawEnd, 2);
    const renewTime = spec ? firstMessage(bytes, spec[0], spec[1], 4) : null;
    return renewTime ? timeOf(bytes, renewTime[0], renewTime[1]) : null;
  } catch (caught) {
    if (caught instanceof WireError) return null;
    throw caught;
  }
}

/** The bounds of the first length-delimited field `field` in bytes[start, end). */
function firstMessage(bytes: Buffer, start: number, end: number, field: number): [number, number] | null {
  const reader = new WireReader(bytes, start, end);
  while (!reader.done) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === WIRE_LENGTH_DELIMITED) {
      const from = reader.lengthDelimited();
      return [from, reader.pos];
    }
    reader.skip(tag & 7, tag >>> 3);
  }
  return null;
}

/** A meta.v1 Time or MicroTime (seconds = 1, nanos = 2) as epoch ms; null for the zero time. */
function timeOf(bytes: Buffer, start: number, end: number): number | null {
  const reader = new WireReader(bytes, start, end);
  let seconds = 0;
  let nanos = 0;
  while (!reader.done) {
    const tag = reader.uint32();
    if (tag === 1 << 3) seconds = reader.int64();
    else if (tag === 2 << 3) nanos = reader.int32();
    else reader.skip(tag & 7, tag >>> 3);
  }
  return seconds > 0 ? seconds * 1000 + Math.floor(nanos / 1e6) : null;
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
