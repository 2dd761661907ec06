import type { JsonObject } from "@/lib/decode/types";
import { instantAt, numberAt, objectAt, objectsAt, pathAt, textAt } from "./read-json";
import type { Cell } from "./types";

// kubectl get pods: NAME READY STATUS RESTARTS AGE IP NODE (the last two from -o wide). STATUS
// follows kubectl's printer: the pod's phase or reason, then the first init container that has not
// finished ("Init:1/2", "Init:CrashLoopBackOff"), then the last container with a waiting or
// terminated reason ("CrashLoopBackOff", "Completed", "ExitCode:1"), and "Terminating" once the
// pod has a deletionTimestamp and has not finished.

export const POD_COLUMNS = ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"];

type PodStatus = { ready: number; total: number; status: string; restarts: number; lastRestartAt: number | null };

/** Sidecars are init containers with restartPolicy Always: they count as containers once started. */
function isSidecar(container: JsonObject | undefined): boolean {
  return textAt(container?.restartPolicy) === "Always";
}

function hasCondition(pod: JsonObject, type: string, status = "True"): boolean {
  return objectsAt(pathAt(pod, "status", "conditions")).some((condition) => condition.type === type && condition.status === status);
}

function laterOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** When a container last stopped before its current run: the time its last restart began. */
function lastTerminatedAt(containerStatus: JsonObject): number | null {
  return instantAt(pathAt(containerStatus, "lastState", "terminated", "finishedAt"));
}

function terminatedReason(terminated: JsonObject): string {
  const reason = textAt(terminated.reason);
  if (reason) return reason;
  const signal = numberAt(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${numberAt(terminated.exitCode)}`;
}

export function describePodStatus(pod: JsonObject): PodStatus {
  const spec = objectAt(pod.spec);
  const status = objectAt(pod.status);
  const phase = textAt(status?.phase);
  let reason = textAt(status?.reason) || phase;
  if (objectsAt(status?.conditions).some((condition) => condition.type === "PodScheduled" && condition.reason === "SchedulingGated")) {
    reason = "SchedulingGated";
  }
  const initContainers = objectsAt(spec?.initContainers);
  const initByName = new Map(initContainers.map((container) => [textAt(container.name), container]));
  const total = objectsAt(spec?.containers).length + initContainers.filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let lastRestartAt: number | null = null;
  let sidecarRestarts = 0;
  let lastSidecarRestartAt: number | null = null;

  let initializing = false;
  const initStatuses = objectsAt(status?.initContainerStatuses);
  for (const [index, container] of initStatuses.entries()) {
    const sidecar = isSidecar(initByName.get(textAt(container.name)));
    restarts += numberAt(container.restartCount);
    lastRestartAt = laterOf(lastRestartAt, lastTerminatedAt(container));
    if (sidecar) {
      sidecarRestarts += numberAt(container.restartCount);
      lastSidecarRestartAt = laterOf(lastSidecarRestartAt, lastTerminatedAt(container));
    }
    const terminated = objectAt(pathAt(container, "state", "terminated"));
    const waiting = objectAt(pathAt(container, "state", "waiting"));
    if (terminated && numberAt(terminated.exitCode) === 0) continue;
    if (sidecar && container.started === true) {
      if (container.ready === true) ready += 1;
      continue;
    }
    if (terminated) reason = `Init:${terminatedReason(terminated)}`;
    else if (waiting && textAt(waiting.reason) && waiting.reason !== "PodInitializing") reason = `Init:${textAt(waiting.reason)}`;
    else reason = `Init:${index}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, "Initialized")) {
    // Once initialized, only sidecars' restarts still count among the init containers'.
    restarts = sidecarRestarts;
    lastRestartAt = lastSidecarRestartAt;
    let hasRunning = false;
    const statuses = objectsAt(status?.containerStatuses);
    // kubectl walks the containers from the last, so the first container's reason wins.
    for (const container of [...statuses].reverse()) {
      restarts += numberAt(container.restartCount);
      lastRestartAt = laterOf(lastRestartAt, lastTerminatedAt(container));
      const waiting = objectAt(pathAt(container, "state", "waiting"));
      const terminated = objectAt(pathAt(container, "state", "terminated"));
      if (waiting && textAt(waiting.reason)) reason = textAt(waiting.reason);
      else if (terminated) reason = terminatedReason(terminated);
      else if (container.ready === true && objectAt(pathAt(container, "state", "running"))) {
        hasRunning = true;
        ready += 1;
      }
    }
    // A container that completed next to one still running leaves the pod Running (or NotReady).
    if (reason === "Completed" && hasRunning) reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
  }

  const deleting = textAt(pathAt(pod, "metadata", "deletionTimestamp")) !== "";
  if (deleting && textAt(status?.reason) === "NodeLost") reason = "Unknown";
  else if (deleting && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  return { ready, total, status: reason, restarts, lastRestartAt };
}

export function describePod(pod: JsonObject): Cell[] {
  const { ready, total, status, restarts, lastRestartAt } = describePodStatus(pod);
  const podIPs = objectsAt(pathAt(pod, "status", "podIPs"));
  // podIPs[0] is what kubectl prints; podIP is the same address in objects written before dual-stack.
  const ip = textAt(podIPs[0]?.ip) || textAt(pathAt(pod, "status", "podIP"));
  const node = textAt(pathAt(pod, "spec", "nodeName"));
  return [
    `${ready}/${total}`,
    status,
    { restarts, lastAt: restarts !== 0 ? lastRestartAt : null },
    { age: instantAt(pathAt(pod, "metadata", "creationTimestamp")) },
    ip || "<none>",
    node || "<none>",
  ];
}
