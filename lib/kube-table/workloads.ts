import type { JsonObject } from "@/lib/decode/types";
import { instantAt, numberAt, objectAt, objectsAt, pathAt, textAt } from "./read-json";
import type { Cell } from "./types";

// kubectl get deployments, replicasets, statefulsets, daemonsets, jobs and cronjobs. A missing
// spec.replicas reads as 1, the default kube-apiserver fills in before it stores the object.

const age = (object: JsonObject): Cell => ({ age: instantAt(pathAt(object, "metadata", "creationTimestamp")) });
const desiredReplicas = (object: JsonObject) => numberAt(pathAt(object, "spec", "replicas"), 1);
const statusCount = (object: JsonObject, field: string) => numberAt(pathAt(object, "status", field));

export const DEPLOYMENT_COLUMNS = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];
export function describeDeployment(deployment: JsonObject): Cell[] {
  return [
    `${statusCount(deployment, "readyReplicas")}/${desiredReplicas(deployment)}`,
    statusCount(deployment, "updatedReplicas"),
    statusCount(deployment, "availableReplicas"),
    age(deployment),
  ];
}

export const REPLICA_SET_COLUMNS = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"];
export function describeReplicaSet(replicaSet: JsonObject): Cell[] {
  return [desiredReplicas(replicaSet), statusCount(replicaSet, "replicas"), statusCount(replicaSet, "readyReplicas"), age(replicaSet)];
}

export const STATEFUL_SET_COLUMNS = ["NAME", "READY", "AGE"];
export function describeStatefulSet(statefulSet: JsonObject): Cell[] {
  return [`${statusCount(statefulSet, "readyReplicas")}/${desiredReplicas(statefulSet)}`, age(statefulSet)];
}

/** A label map as kubectl writes selectors: key=value pairs sorted by key, or "<none>". */
export function formatLabels(value: JsonObject | undefined): string {
  const pairs = Object.entries(value ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.length ? pairs.map(([key, text]) => `${key}=${textAt(text)}`).join(",") : "<none>";
}

export const DAEMON_SET_COLUMNS = ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"];
export function describeDaemonSet(daemonSet: JsonObject): Cell[] {
  return [
    statusCount(daemonSet, "desiredNumberScheduled"),
    statusCount(daemonSet, "currentNumberScheduled"),
    statusCount(daemonSet, "numberReady"),
    statusCount(daemonSet, "updatedNumberScheduled"),
    statusCount(daemonSet, "numberAvailable"),
    formatLabels(objectAt(pathAt(daemonSet, "spec", "template", "spec", "nodeSelector"))),
    age(daemonSet),
  ];
}

function hasJobCondition(job: JsonObject, type: string): boolean {
  return objectsAt(pathAt(job, "status", "conditions")).some((condition) => condition.type === type && condition.status === "True");
}

/** kubectl's Job STATUS: the first that holds of Complete, Failed, Terminating, Suspended, FailureTarget; else Running. */
export function describeJobStatus(job: JsonObject): string {
  if (hasJobCondition(job, "Complete")) return "Complete";
  if (hasJobCondition(job, "Failed")) return "Failed";
  if (textAt(pathAt(job, "metadata", "deletionTimestamp"))) return "Terminating";
  if (hasJobCondition(job, "Suspended")) return "Suspended";
  if (hasJobCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

export const JOB_COLUMNS = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"];
export function describeJob(job: JsonObject): Cell[] {
  const succeeded = statusCount(job, "succeeded");
  const completions = pathAt(job, "spec", "completions");
  const parallelism = numberAt(pathAt(job, "spec", "parallelism"));
  const completionsText =
    completions !== undefined
      ? `${succeeded}/${numberAt(completions)}`
      : parallelism > 1
        ? `${succeeded}/1 of ${parallelism}`
        : `${succeeded}/1`;
  const started = instantAt(pathAt(job, "status", "startTime"));
  const completed = instantAt(pathAt(job, "status", "completionTime"));
  // A running Job's duration grows with time: it is counted like an age, from its start.
  const duration: Cell = started === null ? "" : completed === null ? { age: started } : { duration: completed - started };
  return [describeJobStatus(job), completionsText, duration, age(job)];
}

export const CRON_JOB_COLUMNS = ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"];
export function describeCronJob(cronJob: JsonObject): Cell[] {
  const lastSchedule = instantAt(pathAt(cronJob, "status", "lastScheduleTime"));
  return [
    textAt(pathAt(cronJob, "spec", "schedule")),
    textAt(pathAt(cronJob, "spec", "timeZone")) || "<none>",
    pathAt(cronJob, "spec", "suspend") === true ? "True" : "False",
    objectsAt(pathAt(cronJob, "status", "active")).length,
    lastSchedule === null ? "<none>" : { age: lastSchedule },
    age(cronJob),
  ];
}
