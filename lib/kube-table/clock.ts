import type { JsonObject, JsonValue } from "@/lib/decode/types";
import { instantAt, objectAt, objectsAt } from "./read-json";

// The time a past revision implies. etcd keeps no clock, but kube-apiserver stamps times into the
// objects it writes: managedFields[].time on every write, status conditions and container states
// as they change, an Event's lastTimestamp, a Lease's renewTime. The newest of these in the
// objects read at revision R is the latest moment known to lie at or before R, so ages counted
// from it say what `kubectl get` said at R, give or take the time since that last stamp.

const TIME_FIELD = /(Time|Timestamp|At)$/;
// Status trees are small but arbitrary; this bounds the walk of a strange object.
const MAX_DEPTH = 6;

function newestIn(value: JsonValue | undefined, depth: number, fieldName: string): number | null {
  if (typeof value === "string") return TIME_FIELD.test(fieldName) ? instantAt(value) : null;
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return null;
  let newest: number | null = null;
  const visit = (child: JsonValue, name: string) => {
    const found = newestIn(child, depth + 1, name);
    if (found !== null && (newest === null || found > newest)) newest = found;
  };
  if (Array.isArray(value)) for (const item of value) visit(item, fieldName);
  else for (const [name, child] of Object.entries(value)) visit(child, name);
  return newest;
}

/** The newest write-time stamp in one object (metadata, status, an Event's or a Lease's times); null when none. */
export function newestTimestampOf(object: JsonObject): number | null {
  const metadata = objectAt(object.metadata);
  const candidates = [
    instantAt(metadata?.creationTimestamp),
    instantAt(metadata?.deletionTimestamp),
    ...objectsAt(metadata?.managedFields).map((entry) => instantAt(entry.time)),
    newestIn(object.status, 0, "status"),
    instantAt(object.lastTimestamp),
    instantAt(object.firstTimestamp),
    instantAt(object.eventTime),
    newestIn(object.series, 0, "series"),
    instantAt(objectAt(object.spec)?.renewTime),
    instantAt(objectAt(object.spec)?.acquireTime),
  ];
  let newest: number | null = null;
  for (const candidate of candidates) if (candidate !== null && (newest === null || candidate > newest)) newest = candidate;
  return newest;
}
