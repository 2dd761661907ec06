import type { JsonObject, JsonValue } from "@/lib/decode/types";
import { instantAt, objectAt, objectsAt, pathAt } from "./read-json";

// The time a past revision implies. etcd keeps no clock, but kube-apiserver stamps times into the
// objects it writes: managedFields[].time on every write, status conditions and container states
// as they change, an Event's lastTimestamp, a Lease's renewTime. The newest of these in the
// objects read at revision R is the latest moment known to lie at or before R, so ages counted
// from it say what `kubectl get` said at R, give or take the time since that last stamp.
// Only these named fields are read: a walk of every string in a status cost more than decoding.

const CONDITION_TIMES = ["lastTransitionTime", "lastUpdateTime", "lastProbeTime", "lastHeartbeatTime"];
const STATUS_TIMES = ["startTime", "completionTime", "lastScheduleTime", "lastSuccessfulTime"];
const CONTAINER_STATUS_LISTS = ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"];

function containerTimes(status: JsonObject): (JsonValue | undefined)[] {
  const times: (JsonValue | undefined)[] = [];
  for (const list of CONTAINER_STATUS_LISTS) {
    for (const container of objectsAt(status[list])) {
      times.push(
        pathAt(container, "state", "running", "startedAt"),
        pathAt(container, "state", "terminated", "finishedAt"),
        pathAt(container, "lastState", "terminated", "finishedAt"),
      );
    }
  }
  return times;
}

/** The newest write-time stamp in one object (metadata, status, an Event's or a Lease's times); null when none. */
export function newestTimestampOf(object: JsonObject): number | null {
  const metadata = objectAt(object.metadata);
  const status = objectAt(object.status);
  const spec = objectAt(object.spec);
  const candidates: (JsonValue | undefined)[] = [
    metadata?.creationTimestamp,
    metadata?.deletionTimestamp,
    ...objectsAt(metadata?.managedFields).map((entry) => entry.time),
    object.lastTimestamp,
    object.firstTimestamp,
    object.eventTime,
    pathAt(object, "series", "lastObservedTime"),
    spec?.renewTime,
    spec?.acquireTime,
  ];
  if (status) {
    for (const condition of objectsAt(status.conditions)) for (const field of CONDITION_TIMES) candidates.push(condition[field]);
    for (const field of STATUS_TIMES) candidates.push(status[field]);
    candidates.push(...containerTimes(status));
  }
  let newest: number | null = null;
  for (const candidate of candidates) {
    const instant = instantAt(candidate);
    if (instant !== null && (newest === null || instant > newest)) newest = instant;
  }
  return newest;
}
